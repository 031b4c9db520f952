# Flame stabilizer importer and exporters: hand-made setups, damaged input, round trips.
add_executable(test_flame ${CMAKE_CURRENT_LIST_DIR}/test_flame.c)
target_link_libraries(test_flame PRIVATE trackport_converter)
target_include_directories(test_flame PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME flame COMMAND test_flame)
set_tests_properties(flame PROPERTIES LABELS "converter")
