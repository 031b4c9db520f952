# The Debian package end to end: build, install, enable, serve through Debian's lighttpd,
# check the FHS and the site's user, purge (tests/deb/deb_test.py). It installs a package
# on the machine, so it skips (ctest: Skipped, with the reason) without root or the dpkg
# tools, when trackport is installed already, and in sanitizer builds (the package is
# built plain). The lock keeps it from running beside the site tests.
set(TP_DEB_ARGS ${CMAKE_SOURCE_DIR} ${TP_CORPUS_DIR} ${CMAKE_CURRENT_BINARY_DIR}/deb_package)
if(TP_ASAN OR TP_UBSAN OR TP_FUZZ)
  list(APPEND TP_DEB_ARGS --skip "sanitizer build: the package is tested in the plain suite")
endif()
add_test(NAME deb_package
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/deb_test.py ${TP_DEB_ARGS})
set_tests_properties(deb_package PROPERTIES LABELS "deb" TIMEOUT 900 SKIP_RETURN_CODE 77
                     RESOURCE_LOCK tp_site_server)
