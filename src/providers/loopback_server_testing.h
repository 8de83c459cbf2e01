// A scripted HTTP server on 127.0.0.1 for transport tests: each accepted
// connection gets the next canned reply, written piece by piece with pauses,
// then the connection closes. Header-only; used by tests alone.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace llmctl {

class LoopbackServer {
 public:
  struct Reply {
    std::vector<std::string> pieces;  // raw bytes: status line, headers, body
    int pause_ms = 0;                 // before each piece
  };

  explicit LoopbackServer(std::vector<Reply> replies) : replies_(std::move(replies)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listen_fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }

  ~LoopbackServer() {
    thread_.join();
    close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Everything the client sent on the last connection (head and body).
  std::string last_request() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

  // An HTTP/1.1 response head ending the body at connection close.
  static std::string Head(int status, const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nConnection: close\r\n" + extra_headers +
           "\r\n";
  }

 private:
  void Serve() {
    for (const Reply& reply : replies_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return;  // the client never came
      int fd = accept(listen_fd_, nullptr, nullptr);
      ReadRequest(fd);
      for (const std::string& piece : reply.pieces) {
        std::this_thread::sleep_for(std::chrono::milliseconds(reply.pause_ms));
        if (send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) break;
      }
      close(fd);
    }
  }

  void ReadRequest(int fd) {
    std::string req;
    char buf[4096];
    size_t need = std::string::npos;
    while (need == std::string::npos || req.size() < need) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) break;
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
      size_t head_end = req.find("\r\n\r\n");
      if (need == std::string::npos && head_end != std::string::npos) {
        size_t cl = req.find("Content-Length: ");
        need = head_end + 4 +
               (cl != std::string::npos && cl < head_end ? std::stoul(req.substr(cl + 16)) : 0);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    last_request_ = req;
  }

  std::vector<Reply> replies_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::string last_request_;
};

}  // namespace llmctl
