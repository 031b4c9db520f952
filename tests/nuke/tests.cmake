# Nuke script importer and the Nuke exporters: hand-made scripts, damaged input, round trips.
add_executable(test_nuke ${CMAKE_CURRENT_LIST_DIR}/test_nuke.c)
target_link_libraries(test_nuke PRIVATE trackport_converter)
target_include_directories(test_nuke PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME nuke COMMAND test_nuke)
set_tests_properties(nuke PROPERTIES LABELS "converter")
