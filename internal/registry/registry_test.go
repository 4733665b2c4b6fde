package registry

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestGetAndTag: labels are read by tag, and a new tag names the very
// manifest (same digest) — against a real registry implementation on
// loopback.
func TestGetAndTag(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	repo := strings.TrimPrefix(srv.URL, "http://") + "/acme/shop"
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.revision": "abc"}
	cfg.OS, cfg.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(repo+":0123abcd", name.Insecure)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()

	c := Client{Repository: repo}
	ctx := context.Background()
	got, err := c.Get(ctx, "0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != want.String() || got.Labels["org.opencontainers.image.revision"] != "abc" || strings.Join(got.Platforms, ",") != "linux/amd64" {
		t.Fatalf("Get = %+v", got)
	}
	if err := c.Tag(ctx, got.Digest, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	if tagged, err := c.Get(ctx, "v1.2.3"); err != nil || tagged.Digest != want.String() {
		t.Errorf("v1.2.3 = %+v, %v; want digest %s", tagged, err, want)
	}
	if _, err := c.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing tag: %v", err)
	}
}

func TestLoopback(t *testing.T) {
	for repo, want := range map[string]bool{
		"127.0.0.1:5000/shop": true, "localhost:5000/x": true, "[::1]:5000/shop": true, "localhost/x": true,
		"registry.gitlab.com/a/b": false, "10.0.0.1:5000/x": false, "127.example.com/x": false,
	} {
		if got := loopback(repo); got != want {
			t.Errorf("loopback(%q) = %v", repo, got)
		}
	}
}
