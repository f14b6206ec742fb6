"""Hostile clients for luaprobe's metrics server (tests/e2e/metrics/bad_clients.sh).

  badclient.py longline PORT MB        send a request line of MB megabytes;
                                       print the status the server answered
                                       ("none" if it only closed) and the bytes
                                       it took before it stopped reading
  badclient.py idle PORT N SECONDS     open N connections that send nothing;
                                       print how many connected, then after
                                       SECONDS how many the server had closed
  badclient.py noread PORT SECONDS     GET /metrics with a 4 KiB receive buffer
                                       and never read; print after SECONDS
                                       "held" (and that it was never read)
"""
import resource
import socket
import sys
import time


def connect(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    return s


def longline(port, mb):
    s = connect(port)
    chunk = b"a" * 65536
    sent = 0
    s.settimeout(20)
    try:
        s.sendall(b"GET /")
        while sent < mb << 20:
            s.sendall(chunk)
            sent += len(chunk)
        s.sendall(b" HTTP/1.1\r\nHost: x\r\n\r\n")
    except OSError:
        pass
    status = "none"
    try:
        data = s.recv(4096)
        if data.startswith(b"HTTP/"):
            status = data.split(b" ")[1].decode()
    except OSError:
        pass
    print("status %s sent %d" % (status, sent))


def closed(s):
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def idle(port, n, secs):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(port))
        except OSError as e:
            print("connect failed after %d: %s" % (len(socks), e))
            break
    print("connected %d" % len(socks), flush=True)
    time.sleep(secs)
    print("closed by server %d" % sum(closed(s) for s in socks), flush=True)


def noread(port, secs):
    s = connect(port, rcvbuf=4096)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    print("sent", flush=True)
    time.sleep(secs)
    print("held", flush=True)


mode, port = sys.argv[1], int(sys.argv[2])
if mode == "longline":
    longline(port, int(sys.argv[3]))
elif mode == "idle":
    idle(port, int(sys.argv[3]), float(sys.argv[4]))
else:
    noread(port, float(sys.argv[3]))
