# The fixed-point writer against Ruby's format("%.Nf"): a table of Ruby's own output, the fast
# path against the replay of Ruby's dtoa, and, where ruby is installed, a differential run.
add_executable(test_digits ${CMAKE_CURRENT_LIST_DIR}/test_digits.c)
target_link_libraries(test_digits PRIVATE trackport_converter)
target_include_directories(test_digits PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..
                                               ${CMAKE_SOURCE_DIR}/converter/core)
target_compile_definitions(test_digits PRIVATE TP_DIGITS_DIR="${CMAKE_CURRENT_LIST_DIR}")
add_test(NAME digits_table COMMAND test_digits)
set_tests_properties(digits_table PROPERTIES LABELS "converter" TIMEOUT 600)
add_test(NAME digits_ruby COMMAND test_digits ruby_differential)
set_tests_properties(digits_ruby PROPERTIES LABELS "converter" SKIP_RETURN_CODE 77 TIMEOUT 600)
add_test(NAME digits_exporters
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/exporters_vs_ruby.py
                 $<TARGET_FILE:trackport> ${CMAKE_CURRENT_BINARY_DIR}/digits_exporters_work)
set_tests_properties(digits_exporters PROPERTIES LABELS "converter" SKIP_RETURN_CODE 77 TIMEOUT 600)
