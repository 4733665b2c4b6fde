package e2e

import (
	"bytes"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultProxy forwards TCP connections from a free loopback port to a
// registry, notes the HTTP requests they carry, and cuts the first
// connections that carry a blob upload: it forwards the upload's first
// bytes, then closes both sides, as a registry or a load balancer dropping
// connections mid-push does.
type faultProxy struct {
	// Addr is host:port to push to.
	Addr     string
	upstream string

	mu       sync.Mutex
	cut      int       // blob uploads still to cut
	cutDone  int       // blob uploads cut
	requests []request // in the order they were seen
}

// request is one request line the proxy forwarded.
type request struct {
	line string // "METHOD PATH"
	at   time.Time
}

// requestLine matches an HTTP/1 request line.
var requestLine = regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP/1\.[01]$`)

// newFaultProxy starts a proxy in front of upstream that cuts the first cut
// blob uploads; it stops when the test ends.
func newFaultProxy(t *testing.T, upstream string, cut int) *faultProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{Addr: l.Addr().String(), upstream: upstream, cut: cut}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); p.serve(c) }()
		}
	}()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return p
}

// Requests returns the requests seen so far.
func (p *faultProxy) Requests() []request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]request(nil), p.requests...)
}

// Lines returns the requests seen so far, "METHOD PATH" each.
func (p *faultProxy) Lines() []string {
	var out []string
	for _, r := range p.Requests() {
		out = append(out, r.line)
	}
	return out
}

// Count counts the requests seen whose "METHOD PATH" matches re.
func (p *faultProxy) Count(re string) int {
	n, match := 0, regexp.MustCompile(re)
	for _, r := range p.Lines() {
		if match.MatchString(r) {
			n++
		}
	}
	return n
}

// LongestPause is the longest time between two requests in a row.
func (p *faultProxy) LongestPause() time.Duration {
	var longest time.Duration
	rs := p.Requests()
	for i := 1; i < len(rs); i++ {
		longest = max(longest, rs[i].at.Sub(rs[i-1].at))
	}
	return longest
}

// Cut is how many blob uploads the proxy cut.
func (p *faultProxy) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cutDone
}

func (p *faultProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	done := make(chan struct{})
	go func() { // responses go back untouched
		io.Copy(client, server)
		client.Close()
		close(done)
	}()
	p.forward(server, client)
	server.Close()
	<-done
}

// forward copies the client's requests to the registry, noting each request
// line, until the client closes or an upload is cut.
func (p *faultProxy) forward(server, client net.Conn) {
	buf := make([]byte, 32<<10)
	var partial []byte // the bytes after the last CRLF: maybe the start of a request line
	for {
		n, err := client.Read(buf)
		chunk := buf[:n]
		scan := append(partial, chunk...)
		start := len(scan) - len(chunk) // where chunk begins in scan
		cutAt := -1                     // in chunk
		for pos := 0; ; {
			i := bytes.Index(scan[pos:], []byte("\r\n"))
			if i < 0 {
				partial = append([]byte(nil), scan[pos:]...)
				if len(partial) > 4096 { // body bytes, not a request line
					partial = nil
				}
				break
			}
			if p.note(scan[pos : pos+i]) {
				cutAt = pos + i + 2 - start
				break
			}
			pos += i + 2
		}
		if cutAt >= 0 {
			// forward the request line, the headers and some of the body, then drop
			server.Write(chunk[:min(len(chunk), cutAt+512)])
			return
		}
		if _, werr := server.Write(chunk); werr != nil || err != nil {
			return
		}
	}
}

// note records line when it is a request line, and says whether to cut the
// connection after it: a blob upload (PUT or PATCH) while cuts remain.
func (p *faultProxy) note(line []byte) bool {
	m := requestLine.FindSubmatch(line)
	if m == nil {
		return false
	}
	method, path := string(m[1]), string(m[2])
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, request{line: method + " " + path, at: time.Now()})
	upload := (method == "PUT" || method == "PATCH") && strings.Contains(path, "/blobs/uploads/")
	if !upload || p.cut == 0 {
		return false
	}
	p.cut--
	p.cutDone++
	return true
}
