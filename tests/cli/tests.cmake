# The command line in Tracksperanto's syntax, from a table of command lines.
add_test(NAME cli
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/cli_test.py
                 $<TARGET_FILE:trackport> ${CMAKE_CURRENT_BINARY_DIR}/cli_work)
set_tests_properties(cli PROPERTIES LABELS "converter")

# Repeated, interleaved edits through trackportctl, a real dispatcher and job store.
if(TARGET trackport-dispatcher-test)
  add_test(NAME cli_ctl_edits
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/ctl_edits_test.py
                   --dispatcher $<TARGET_FILE:trackport-dispatcher-test>
                   --ctl $<TARGET_FILE:trackportctl-test>
                   --trackport $<TARGET_FILE:trackport>
                   --corpus ${TP_CORPUS_DIR}
                   --work ${CMAKE_CURRENT_BINARY_DIR}/cli_ctl_edits)
  set_tests_properties(cli_ctl_edits PROPERTIES LABELS "converter;jobs" TIMEOUT 240)
endif()

# The same through the web form's edit.<flag> fields, lighttpd, trackport-fcgi and its
# dispatcher (tests/site/sitelib.py).
if(TARGET trackport-fcgi AND TARGET trackport-dispatcher)
  add_test(NAME cli_web_edits
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/web_edits_test.py
                   ${CMAKE_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/cli_web_edits)
  set_tests_properties(cli_web_edits PROPERTIES LABELS "site" TIMEOUT 300
                       RESOURCE_LOCK tp_site_server)
endif()
