# End-to-end command tests: tests/cli/<cmd>/<case>.sh, each run by
# tests/cli/run-case.sh in a scratch directory, with expected outputs
# beside it (<case>.stdout.exact, <case>.stderr.glob, <case>.exit).
# Labels: cli, plus those a case names in a "# labels:" line.
file(GLOB TLC_CLI_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*/*.sh)
foreach(case ${TLC_CLI_CASES})
	get_filename_component(cmd ${case} DIRECTORY)
	get_filename_component(cmd ${cmd} NAME)
	get_filename_component(name ${case} NAME_WE)
	file(STRINGS ${case} labels REGEX "^# labels:")
	string(REGEX REPLACE "^# labels:[ ]*" "" labels "${labels}")
	string(REPLACE " " ";" labels "${labels}")
	add_test(NAME cli/${cmd}/${name}
		COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run-case.sh ${case}
			${CMAKE_CURRENT_BINARY_DIR}/cli-scratch/${cmd}/${name})
	set_tests_properties(cli/${cmd}/${name} PROPERTIES
		LABELS "cli;${labels}"
		SKIP_RETURN_CODE 77
		TIMEOUT 1800
		ENVIRONMENT "TLCPACK=$<TARGET_FILE:tlcpack>;TLC_SOURCE_DIR=${CMAKE_SOURCE_DIR};TLC_TESTDATA=${TLC_TESTDATA};TLC_BUILD_DIR=${CMAKE_BINARY_DIR}")
endforeach()

# The hostile recipes of tests/recipe, through `tlcpack build` itself: one
# clear line naming file:line:column, a non-zero exit, nothing written.
file(GLOB TLC_HOSTILE_RECIPES CONFIGURE_DEPENDS
	${CMAKE_SOURCE_DIR}/tests/recipe/cases/*.err)
foreach(err ${TLC_HOSTILE_RECIPES})
	get_filename_component(case ${err} NAME_WE)
	add_test(NAME cli/build/hostile-${case}
		COMMAND bash ${CMAKE_SOURCE_DIR}/tests/recipe/run.sh
			${CMAKE_SOURCE_DIR}/tests/recipe/cases/${case}
			$<TARGET_FILE:tlcpack> build --recipe)
	set_tests_properties(cli/build/hostile-${case} PROPERTIES
		LABELS "cli;recipe")
endforeach()
