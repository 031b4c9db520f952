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
  # No request runs a job's work: the site's program holds neither the converter child nor
  # the dispatcher loop (they are in trackport_dispatcher, which it does not link).
  add_test(NAME site_links_no_child
           COMMAND sh -c "nm \"$0\" > /dev/null && ! nm \"$0\" | grep -E ' T (disp_child_run|disp_loop_run)$'"
                   $<TARGET_FILE:trackport-fcgi>)
  set_tests_properties(site_links_no_child PROPERTIES LABELS "site")
  foreach(scenario corpus load memcached errors lifecycle)
    add_test(NAME site_${scenario}
             COMMAND ${Python3_EXECUTABLE} ${TP_SITE_DIR}/site_test.py ${scenario}
                     ${CMAKE_BINARY_DIR} ${TP_CORPUS_DIR} ${TP_TOOLS_DIR}/compare
                     ${CMAKE_CURRENT_BINARY_DIR}/site_${scenario})
    # Each starts its own lighttpd, memcached and dispatcher on ports of its own; the run
    # lock keeps two of them from competing for the two cores of the CI machine.
    set_tests_properties(site_${scenario} PROPERTIES LABELS "site" TIMEOUT 600
                         RESOURCE_LOCK tp_site_server)
  endforeach()
  # What the converter child makes besides the outputs, and the job bounds.
  foreach(scenario products bounds)
    add_test(NAME site_${scenario}
             COMMAND ${Python3_EXECUTABLE} ${TP_SITE_DIR}/products_test.py ${scenario}
                     ${CMAKE_BINARY_DIR} ${TP_CORPUS_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/site_${scenario})
    set_tests_properties(site_${scenario} PROPERTIES LABELS "site" TIMEOUT 600
                         RESOURCE_LOCK tp_site_server)
  endforeach()
endif()
