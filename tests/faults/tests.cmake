# Faults: what stopping, killing and starving the CLI and the site leaves behind. The small
# scale runs here; `make faults` runs fault_suite.py at full scale.
set(TP_FAULTS_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(case sigint sigterm sighup sigkill file_size_limit double_interrupt)
  add_test(NAME faults_cli_${case}
           COMMAND ${Python3_EXECUTABLE} ${TP_FAULTS_DIR}/cli_stop_test.py
                   $<TARGET_FILE:trackport> ${CMAKE_CURRENT_BINARY_DIR}/faults_cli ${case})
  set_tests_properties(faults_cli_${case} PROPERTIES LABELS "faults" TIMEOUT 300
                       RESOURCE_LOCK tp_faults_cli)
endforeach()
if(TARGET trackport-fcgi AND TARGET trackport-dispatcher)
  foreach(case lighttpd_sigkill lighttpd_sigkill_busy non_utf8_name make_run disk_full_upload)
    add_test(NAME faults_site_${case}
             COMMAND ${Python3_EXECUTABLE} ${TP_FAULTS_DIR}/site_faults_test.py ${case}
                     ${CMAKE_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/faults_site_${case})
    set_tests_properties(faults_site_${case} PROPERTIES LABELS "faults;site" TIMEOUT 300
                         RESOURCE_LOCK tp_site_server)
  endforeach()
endif()
if(TARGET trackport-fcgi AND TARGET trackport-dispatcher)
  # Every fault kind once, a few uploads each; `make faults` runs the full scale.
  add_test(NAME faults_suite
           COMMAND ${Python3_EXECUTABLE} ${TP_FAULTS_DIR}/fault_suite.py ${CMAKE_BINARY_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/faults_suite --scale small)
  set_tests_properties(faults_suite PROPERTIES LABELS "faults;site" TIMEOUT 900
                       RESOURCE_LOCK tp_site_server)
endif()
