# Placeholder GUI target until the application lands: runApplication() explains itself.
add_library(topomask_gui STATIC gui/launch.cpp)
target_include_directories(topomask_gui PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(topomask_gui PUBLIC topomask_engine PRIVATE topomask_warnings)
