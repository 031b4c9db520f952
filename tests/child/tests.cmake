# The converter child's products, without a server: the preview sink, the summary watchers
# and trackers.json, the archive writer (checked with Python's zipfile), and the job bounds
# of tp_convert on the case of a tracker --lerp would stretch over ten million frames.
add_executable(test_child ${CMAKE_CURRENT_LIST_DIR}/test_child.c)
target_link_libraries(test_child PRIVATE trackport_dispatcher)
target_include_directories(test_child PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME child_products COMMAND test_child)
set_tests_properties(child_products PROPERTIES LABELS "jobs"
                     ENVIRONMENT "TP_PYTHON=${Python3_EXECUTABLE}")
