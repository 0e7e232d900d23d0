// loadgen's HTTP/1.1 client: one blocking keep-alive connection to 127.0.0.1 (see loadgen.cpp).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace loadgen {

// ---------------------------------------------------------------------------------------------
// A minimal blocking HTTP/1.1 client with keep-alive.

struct Response {
  int status = 0;  // 0 = transport failure
  std::string body;
  std::string error;  // transport error text
};

class Conn {
 public:
  Conn(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~Conn() { close_fd(); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  long reconnects() const { return reconnects_; }

  // `headers` holds extra request header lines, each ending in "\r\n".
  Response request(std::string_view method, std::string_view path, std::string_view body,
                   std::string_view content_type = "application/json", std::string_view headers = {}) {
    // One retry only for a stale keep-alive connection: a reused connection that fails within
    // kStaleMs of sending, before any response byte (the server had closed it while idle). A
    // connection dropped later, while the server was working on the request, is an error.
    constexpr double kStaleMs = 250;
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool fresh = false;
      if (fd_ < 0) {
        std::string err;
        if (!open(err)) return Response{0, {}, "connect: " + err};
        fresh = true;
      }
      bool got_any = false;
      auto t0 = std::chrono::steady_clock::now();
      Response r = exchange(method, path, body, content_type, headers, got_any);
      if (r.status != 0 || got_any) return r;
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (fresh || ms >= kStaleMs) {
        char tmp[96];
        std::snprintf(tmp, sizeof tmp, " (%.0f ms after the request was sent, no response)", ms);
        r.error += tmp;
        return r;
      }
      close_fd();
      ++reconnects_;
    }
    return Response{0, {}, "connection closed twice"};
  }

 private:
  bool open(std::string& err) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) { err = std::strerror(errno); return false; }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{120, 0};  // bound every read/write: a hung server ends the run, not the machine
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    ::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      err = std::strerror(errno);
      close_fd();
      return false;
    }
    buf_.clear();
    return true;
  }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  bool send_all(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0) { if (errno == EINTR) continue; return false; }
      p += w; n -= static_cast<size_t>(w);
    }
    return true;
  }
  // Appends to buf_; returns bytes read, 0 on EOF, -1 on error.
  ssize_t fill() {
    char tmp[65536];
    for (;;) {
      ssize_t r = ::recv(fd_, tmp, sizeof tmp, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r > 0) buf_.append(tmp, static_cast<size_t>(r));
      return r;
    }
  }

  Response exchange(std::string_view method, std::string_view path, std::string_view body,
                    std::string_view content_type, std::string_view headers, bool& got_any) {
    std::string req;
    req.reserve(body.size() + 256);
    req.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_)
        .append(":").append(std::to_string(port_))
        .append("\r\nUser-Agent: sextant-loadgen\r\nAccept: application/json\r\nConnection: keep-alive\r\n");
    // LOADGEN_AUTHORIZATION="Bearer <token>" measures a server with authentication on.
    static const char* const authorization = std::getenv("LOADGEN_AUTHORIZATION");
    if (authorization && *authorization) req.append("Authorization: ").append(authorization).append("\r\n");
    req.append(headers);
    if (method != "GET") {
      req.append("Content-Type: ").append(content_type).append("\r\nContent-Length: ")
          .append(std::to_string(body.size())).append("\r\n");
    }
    req.append("\r\n");
    if (method != "GET") req.append(body);
    if (!send_all(req.data(), req.size())) {
      close_fd();
      return Response{0, {}, std::string("send: ") + std::strerror(errno)};
    }
    // Headers.
    size_t hdr_end;
    while ((hdr_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      ssize_t r = fill();
      if (r <= 0) {
        std::string e = r == 0 ? "connection closed by server" : std::string("recv: ") + std::strerror(errno);
        close_fd();
        return Response{0, {}, e};
      }
      got_any = true;
    }
    got_any = true;
    Response resp;
    std::string_view head(buf_.data(), hdr_end);
    // Status line: HTTP/1.1 200 OK
    auto sp = head.find(' ');
    if (sp == std::string_view::npos) { close_fd(); return Response{0, {}, "bad status line"}; }
    resp.status = std::atoi(std::string(head.substr(sp + 1, 3)).c_str());
    long content_length = -1;
    bool chunked = false, close_after = false;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string_view line = head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        std::string value(v);
        std::transform(value.begin(), value.end(), value.begin(), ::tolower);
        if (name == "content-length") content_length = std::atol(value.c_str());
        else if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
        else if (name == "connection" && value.find("close") != std::string::npos) close_after = true;
      }
      pos = next;
    }
    buf_.erase(0, hdr_end + 4);
    if (resp.status == 204 || resp.status == 304 || resp.status / 100 == 1 || method == "HEAD") {
      // No body by definition.
    } else if (chunked) {
      // A cursor into buf_ rather than erasing each chunk from its front: a server that streams
      // many small chunks must not cost the client a memmove of the buffer per chunk.
      size_t p = 0;
      auto need_line = [&](size_t& le) {
        while ((le = buf_.find("\r\n", p)) == std::string::npos)
          if (fill() <= 0) return false;
        return true;
      };
      for (;;) {
        if (p > (1u << 20)) {
          buf_.erase(0, p);
          p = 0;
        }
        size_t le;
        if (!need_line(le)) { close_fd(); return Response{0, {}, "eof in chunk header"}; }
        long n = std::strtol(buf_.c_str() + p, nullptr, 16);
        p = le + 2;
        if (n == 0) {
          // Trailers end with an empty line.
          for (;;) {
            if (!need_line(le)) { close_fd(); return Response{0, {}, "eof in trailer"}; }
            bool empty = le == p;
            p = le + 2;
            if (empty) break;
          }
          break;
        }
        while (buf_.size() < p + static_cast<size_t>(n) + 2)
          if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in chunk"}; }
        resp.body.append(buf_, p, static_cast<size_t>(n));
        p += static_cast<size_t>(n) + 2;
      }
      buf_.erase(0, p);
    } else if (content_length >= 0) {
      while (buf_.size() < static_cast<size_t>(content_length))
        if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in body"}; }
      resp.body.assign(buf_, 0, static_cast<size_t>(content_length));
      buf_.erase(0, static_cast<size_t>(content_length));
    } else {
      // No length: body runs to EOF.
      while (fill() > 0) {}
      resp.body = std::move(buf_);
      close_after = true;
    }
    if (close_after) close_fd();
    return resp;
  }

  std::string host_;
  int port_;
  int fd_ = -1;
  std::string buf_;
  long reconnects_ = 0;
};

}  // namespace loadgen
