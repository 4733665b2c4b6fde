package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// mirror is the offline image registry of ../shared/world/up.sh.
const mirror = "127.0.0.1:5000"

func needRegistry(t *testing.T, addr string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/v2/")
	if err != nil {
		t.Skipf("no registry at %s (run ../shared/world/up.sh): %v", addr, err)
	}
	resp.Body.Close()
}

// authRegistry starts a registry on a free loopback port that accepts only
// user/password, and returns its address.
func authRegistry(t *testing.T, user, password string) string {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		t.Skip("docker-registry not installed (Debian package docker-registry)")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), 5)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "htpasswd"), user+":"+string(hash)+"\n")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	writeFile(t, filepath.Join(dir, "config.yml"), fmt.Sprintf(`version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: %s/data}}
http: {addr: %s}
auth: {htpasswd: {realm: onepipe-e2e, path: %s/htpasswd}}
`, dir, addr, dir))
	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 50; i++ {
		if resp, err := http.Get("http://" + addr + "/v2/"); err == nil {
			resp.Body.Close()
			return addr
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("registry at %s did not start", addr)
	return ""
}

// image is what a registry says about one tag.
type image struct {
	Architecture, OS string
	// Config is the raw image config (labels, env, history).
	Config string
}

// inspect reads a tag's manifest (following an index to its first
// manifest) and its config, optionally with basic auth.
func inspect(t *testing.T, addr, repo, tag, user, password string) image {
	t.Helper()
	get := func(path, accept string) []byte {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v2/"+repo+path, nil)
		req.Header.Set("Accept", accept)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s %s", path, resp.Status, body)
		}
		return body
	}
	accept := strings.Join([]string{"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
		"application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json"}, ", ")
	var m struct {
		Manifests []struct{ Digest string }
		Config    struct{ Digest string }
	}
	if err := json.Unmarshal(get("/manifests/"+tag, accept), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) > 0 {
		if err := json.Unmarshal(get("/manifests/"+m.Manifests[0].Digest, accept), &m); err != nil {
			t.Fatal(err)
		}
	}
	raw := get("/blobs/"+m.Config.Digest, "*/*")
	var cfg struct{ Architecture, OS string }
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	return image{Architecture: cfg.Architecture, OS: cfg.OS, Config: string(raw)}
}

func tags(t *testing.T, addr, repo string) []string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/v2/" + repo + "/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Tags []string }
	json.NewDecoder(resp.Body).Decode(&list)
	return list.Tags
}
