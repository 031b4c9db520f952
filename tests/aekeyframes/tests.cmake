# After Effects keyframe data: importer and exporters in C; the sample files against their
# expected tables; the exporters' text read back by an independent Python reader.
add_executable(test_aekeyframes ${CMAKE_CURRENT_LIST_DIR}/test_aekeyframes.c)
target_link_libraries(test_aekeyframes PRIVATE trackport_converter)
target_include_directories(test_aekeyframes PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME aekeyframes COMMAND test_aekeyframes)
set_tests_properties(aekeyframes PROPERTIES LABELS "converter")

add_test(NAME aekeyframes_samples
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/samples_test.py
                 $<TARGET_FILE:trackport> ${TP_TOOLS_DIR}/compare
                 ${TP_CORPUS_DIR}/reference/parabolic/parabolic.tsv
                 ${CMAKE_CURRENT_BINARY_DIR}/aekeyframes_samples
                 ${CMAKE_CURRENT_LIST_DIR} ${CMAKE_CURRENT_LIST_DIR}/../sni)
set_tests_properties(aekeyframes_samples PROPERTIES LABELS "converter")
