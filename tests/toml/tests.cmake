# TOML: the toml-test conformance suite (TOML 1.0.0 cases), run through a
# decoder built on tlc_toml_parse().  The suite lives in
# ${TLC_TESTDATA}/toml-test; without it the test fails and says where it
# looked.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_executable(tlc_toml_decoder ${CMAKE_CURRENT_LIST_DIR}/toml_decoder.c)
target_link_libraries(tlc_toml_decoder PRIVATE tlcpack_lib)

add_test(NAME toml/toml-test
	COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run_toml_test.py
		--decoder $<TARGET_FILE:tlc_toml_decoder>
		--testdata ${TLC_TESTDATA}/toml-test)
set_tests_properties(toml/toml-test PROPERTIES LABELS toml
	FAIL_REGULAR_EXPRESSION "toml-test: FAILED")
