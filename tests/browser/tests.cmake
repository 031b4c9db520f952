# The page in a real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
# with axe-core injected for the accessibility checks; browser_test.py installs both with
# `npm ci` from package-lock.json into the build tree. Screenshots of every stage and the
# downloaded outputs land in browser_out/ of this build folder.
if(TARGET trackport-fcgi AND TARGET trackport-dispatcher)
  add_test(NAME browser
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/browser_test.py
                   ${CMAKE_BINARY_DIR} ${TP_CORPUS_DIR} ${CMAKE_CURRENT_BINARY_DIR}/browser_out)
  set_tests_properties(browser PROPERTIES LABELS "browser" TIMEOUT 600
                       RESOURCE_LOCK tp_site_server)
endif()
