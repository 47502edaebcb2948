# The Python module against the command line, and the Dask example (label python). Run with the
# interpreter the module was built for (Debian's, with numpy, scipy and dask.distributed).
if(TOPOMASK_BUILD_PYTHON AND TARGET topomask)
  foreach(test test_topomask test_dask_shards)
    add_test(NAME python_${test}
             COMMAND ${Python3_EXECUTABLE} -m unittest -v ${test}
             WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
    set_tests_properties(python_${test} PROPERTIES LABELS python
      ENVIRONMENT "PYTHONPATH=${CMAKE_BINARY_DIR}/python;TOPOMASK_BIN=$<TARGET_FILE:topomask>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
