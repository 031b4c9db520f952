# The Nuke Tracker4 exporter: exact output, the node layout, round trips through the importer.
add_executable(test_nuketracker4 ${CMAKE_CURRENT_LIST_DIR}/test_nuketracker4.c)
target_link_libraries(test_nuketracker4 PRIVATE trackport_converter)
target_include_directories(test_nuketracker4 PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME nuketracker4 COMMAND test_nuketracker4)
set_tests_properties(nuketracker4 PROPERTIES LABELS "converter")
