# Unit tests of the edits (tools), and the CLI with edits end to end.
add_executable(test_tools ${CMAKE_CURRENT_LIST_DIR}/test_tools.c)
target_link_libraries(test_tools PRIVATE trackport_converter)
target_include_directories(test_tools PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME tools COMMAND test_tools $<TARGET_FILE:trackport>)
set_tests_properties(tools PROPERTIES LABELS "converter")
