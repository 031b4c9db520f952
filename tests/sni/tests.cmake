# Mocha's SynthEyes export (*.sni): detection and reading (its samples run in aekeyframes_samples).
add_executable(test_sni ${CMAKE_CURRENT_LIST_DIR}/test_sni.c)
target_link_libraries(test_sni PRIVATE trackport_converter)
target_include_directories(test_sni PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME sni COMMAND test_sni)
set_tests_properties(sni PROPERTIES LABELS "converter")
