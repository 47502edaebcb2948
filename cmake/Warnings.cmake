# Warnings for project code only: link `topomask_warnings` into project targets.
# Third-party headers come in through imported (SYSTEM) targets and stay quiet.
add_library(topomask_warnings INTERFACE)
target_compile_options(topomask_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(TOPOMASK_WERROR)
  target_compile_options(topomask_warnings INTERFACE -Werror)
endif()

# AddressSanitizer and UndefinedBehaviorSanitizer (TOPOMASK_SANITIZE, scripts/sanitize) on a target
# rather than on the whole directory tree: every project target (libraries, the executable, tests)
# links topomask_warnings, which carries them; third-party sources compiled here (the ImGui
# backends) are not instrumented. The libFuzzer build (TOPOMASK_FUZZ) sets its own flags.
add_library(topomask_sanitizers INTERFACE)
if(TOPOMASK_SANITIZE)
  target_compile_options(topomask_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(topomask_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
target_link_libraries(topomask_warnings INTERFACE topomask_sanitizers)
