# Shake script and Shake text importers, Shake text exporter: hand-made snippets, damaged
# input, sniffing, exact exporter output and a round trip.
add_executable(test_shake ${CMAKE_CURRENT_LIST_DIR}/test_shake.c)
target_link_libraries(test_shake PRIVATE trackport_converter)
target_include_directories(test_shake PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME shake COMMAND test_shake)
set_tests_properties(shake PROPERTIES LABELS "converter")
