# Hostile recipes: tests/recipe/cases/<case>.err holds the one-line error
# (a glob) that loading <case>.toml, <case>.pyproject.toml or what
# <case>.setup writes must give.  run.sh checks the message and that the
# project directory is left as it was.
add_executable(recipe_check ${CMAKE_CURRENT_LIST_DIR}/recipe_check.c)
target_link_libraries(recipe_check PRIVATE tlcpack_lib)

file(GLOB TLC_RECIPE_CASES CONFIGURE_DEPENDS
	${CMAKE_CURRENT_LIST_DIR}/cases/*.err)
foreach(err ${TLC_RECIPE_CASES})
	get_filename_component(case ${err} NAME_WE)
	add_test(NAME recipe/${case}
		COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh
			${CMAKE_CURRENT_LIST_DIR}/cases/${case}
			$<TARGET_FILE:recipe_check>)
	set_tests_properties(recipe/${case} PROPERTIES LABELS recipe)
endforeach()

# Every allocation failure while loading gives TLC_ENOMEM, *out NULL and
# (under TLC_SANITIZE) no leak.
add_executable(recipe_oom ${CMAKE_CURRENT_LIST_DIR}/recipe_oom.c)
target_link_libraries(recipe_oom PRIVATE tlcpack_lib)
target_link_options(recipe_oom PRIVATE
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc)
add_test(NAME recipe/oom COMMAND recipe_oom
	${CMAKE_SOURCE_DIR}/examples/tlcpack.toml
	${CMAKE_CURRENT_LIST_DIR}/oom/tlcpack.toml
	${CMAKE_CURRENT_LIST_DIR}/oom/pyproject.toml)
set_tests_properties(recipe/oom PROPERTIES LABELS recipe)
