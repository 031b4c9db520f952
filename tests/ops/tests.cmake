# Operating the site: the HMAC behind the admin's anti-forgery tokens (unit); through the
# real site (lighttpd, trackport-fcgi, memcached, SQLite) the admin's refusals, the job
# log and the metrics.
add_executable(test_web_hmac ${CMAKE_CURRENT_LIST_DIR}/test_web_hmac.c
               ${CMAKE_SOURCE_DIR}/fcgi/web_hmac.c)
target_include_directories(test_web_hmac PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${CMAKE_SOURCE_DIR}/fcgi)
add_test(NAME web_hmac COMMAND test_web_hmac)
set_tests_properties(web_hmac PROPERTIES LABELS "site;ops")

if(TARGET trackport-fcgi AND TARGET trackport-dispatcher)
  foreach(scenario auth noauth log metrics page ctl)
    add_test(NAME ops_${scenario}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/ops_test.py ${scenario}
                     ${CMAKE_BINARY_DIR} ${TP_CORPUS_DIR} ${CMAKE_CURRENT_BINARY_DIR}/ops_${scenario})
    set_tests_properties(ops_${scenario} PROPERTIES LABELS "site;ops" TIMEOUT 300
                         RESOURCE_LOCK tp_site_server SKIP_RETURN_CODE 77)
  endforeach()
endif()
