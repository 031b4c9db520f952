# PFTrack/PFMatchit and SynthEyes importers and exporters: unit tests, broken input,
# round trips, and the sniffers against the corpus samples.
add_executable(test_pftrack ${CMAKE_CURRENT_LIST_DIR}/test_pftrack.c)
target_link_libraries(test_pftrack PRIVATE trackport_converter)
target_include_directories(test_pftrack PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME pftrack_syntheyes COMMAND test_pftrack ${TP_CORPUS_DIR}/samples)
set_tests_properties(pftrack_syntheyes PROPERTIES LABELS "converter")
