# The site end to end: the real lighttpd spawning the real trackport-fcgi (and through it the
# dispatcher) with the real memcached, on free loopback ports (tests/site/sitelib.py). One
# ctest per scenario so that each stays short; conf_test checks conf/trackport.conf against
# the config key table and that conf/lighttpd.conf parses.
if(TARGET trackport-fcgi AND TARGET trackport-dispatcher)
  set(TP_SITE_DIR ${CMAKE_CURRENT_LIST_DIR})
  add_test(NAME site_conf
           COMMAND ${Python3_EXECUTABLE} ${TP_SITE_DIR}/conf_test.py
                   $<TARGET_FILE:trackport-fcgi> $<TARGET_FILE:trackportctl>
                   ${CMAKE_CURRENT_BINARY_DIR}/site_conf ${CMAKE_BINARY_DIR}/conf/trackport.conf)
  set_tests_properties(site_conf PROPERTIES LABELS "site" TIMEOUT 60)
  foreach(scenario corpus load memcached errors)
    add_test(NAME site_${scenario}
             COMMAND ${Python3_EXECUTABLE} ${TP_SITE_DIR}/site_test.py ${scenario}
                     ${CMAKE_BINARY_DIR} ${TP_CORPUS_DIR} ${TP_TOOLS_DIR}/compare
                     ${CMAKE_CURRENT_BINARY_DIR}/site_${scenario})
    # Each starts its own lighttpd, memcached and dispatcher on ports of its own; the run
    # lock keeps two of them from competing for the two cores of the CI machine.
    set_tests_properties(site_${scenario} PROPERTIES LABELS "site" TIMEOUT 600
                         RESOURCE_LOCK tp_site_server)
  endforeach()
endif()
