#include "model/bench_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "topomask/core/error.h"

extern char** environ;

namespace topomask::gui {

std::vector<std::string> benchArguments(const BenchRequest& r, std::int64_t size) {
  return {"bench", "--graph", r.graph, "--sizes", std::to_string(size), "--methods", r.methods,
          "--dense-max", std::to_string(r.denseMax), "--repeat", std::to_string(r.repeat), "--json"};
}

namespace {

// One run: its standard output, or Cancelled / Error.
std::string runOnce(const std::string& executable, const std::vector<std::string>& arguments, Progress* progress) {
  int fds[2];
  if (pipe(fds) != 0) throw Error("bench: cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group: a cancel stops its children too
  std::vector<std::string> args{executable};
  args.insert(args.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, executable.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw Error("bench: cannot start " + executable);
  }
  std::string out;
  char buf[4096];
  bool cancelled = false;
  for (;;) {
    if (progress && progress->cancelled()) {
      cancelled = true;
      kill(-pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, 100);
    if (ready < 0) break;
    if (ready == 0) continue;
    const ssize_t k = read(fds[0], buf, sizeof buf);
    if (k <= 0) break;
    out.append(buf, static_cast<std::size_t>(k));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (cancelled) throw Cancelled();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("topomask bench failed (" +
                (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status)) : std::string("killed")) + ")");
  return out;
}

}  // namespace

std::string runBench(const BenchRequest& request, Progress* progress) {
  if (request.sizes.empty()) throw usageError("bench: no sizes");
  nlohmann::json merged;
  for (std::size_t k = 0; k < request.sizes.size(); ++k) {
    const std::string text = runOnce(request.executable, benchArguments(request, request.sizes[k]), progress);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("rows")) throw Error("topomask bench printed no JSON");
    if (merged.is_null()) merged = j;
    else
      for (const auto& row : j["rows"]) merged["rows"].push_back(row);
    reportProgress(progress, static_cast<double>(k + 1) / request.sizes.size());
  }
  merged.erase("summary");  // per-run summaries do not span the sizes
  return merged.dump();
}

}  // namespace topomask::gui
