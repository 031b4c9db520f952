add_test(NAME exporters
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/exporters_test.py
                 $<TARGET_FILE:trackport> ${TP_CORPUS_DIR} ${TP_TOOLS_DIR}/compare
                 ${CMAKE_CURRENT_BINARY_DIR}/exporters_work)
set_tests_properties(exporters PROPERTIES LABELS "converter;corpus" TIMEOUT 1200)
