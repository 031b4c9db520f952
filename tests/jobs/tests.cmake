# The job system: the store's unit test, and the dispatcher's integration scenarios against a
# real memcached and a real SQLite file (crashes, timeouts, recovery, memcached down, the lock).
if(TARGET trackport-dispatcher-test)
  add_executable(test_jobs_store ${CMAKE_CURRENT_LIST_DIR}/test_jobs_store.c)
  target_link_libraries(test_jobs_store PRIVATE trackport_jobs)
  target_include_directories(test_jobs_store PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
  add_test(NAME jobs_store COMMAND test_jobs_store)
  set_tests_properties(jobs_store PROPERTIES LABELS "jobs" TIMEOUT 120)

  foreach(scenario IN ITEMS corpus faults recovery nomemcached lifetime partials)
    add_test(NAME jobs_${scenario}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/jobs_integration.py
                     --scenario ${scenario}
                     --dispatcher $<TARGET_FILE:trackport-dispatcher-test>
                     --ctl $<TARGET_FILE:trackportctl-test>
                     --trackport $<TARGET_FILE:trackport>
                     --corpus ${TP_CORPUS_DIR}
                     --work ${CMAKE_CURRENT_BINARY_DIR}/jobs_${scenario})
    set_tests_properties(jobs_${scenario} PROPERTIES LABELS "jobs" TIMEOUT 240)
  endforeach()
endif()

# The job system's benchmark driver (tests/bench/jobs_bench.py runs it; never a test).
if(TARGET trackport-dispatcher)
  add_executable(jobs_bench ${CMAKE_SOURCE_DIR}/tests/bench/jobs_bench.c)
  target_link_libraries(jobs_bench PRIVATE trackport_jobs)
endif()
