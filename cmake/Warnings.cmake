# Warnings for project code only: link `topomask_warnings` into project targets.
# Third-party headers come in through imported (SYSTEM) targets and stay quiet.
add_library(topomask_warnings INTERFACE)
target_compile_options(topomask_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(TOPOMASK_WERROR)
  target_compile_options(topomask_warnings INTERFACE -Werror)
endif()
