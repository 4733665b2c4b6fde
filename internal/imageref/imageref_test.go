package imageref

import (
	"strings"
	"testing"
)

func TestCheckRepository(t *testing.T) {
	long := "registry.example.com/" + strings.Repeat("a", MaxNameLength-len("registry.example.com/")+1)
	tests := []struct {
		repo string
		want string // "" for accepted, else a part of the one-line error
	}{
		{"127.0.0.1:5000/onepipe/tornado", ""},
		{"acme.azurecr.io/shop", ""},
		{"registry.gitlab.com/a-b/c_d/e.f", ""},
		{"registry.example.com/my_org__team/app", ""},
		{"registry.example.com/a--b/c", ""},
		{"[::1]:5000/shop", ""},
		{"[fd00:1:2::3]:5000/team/shop", ""},
		{"localhost:5000/x", ""},
		{"localhost/x", ""},
		{"docker.io/library/shop", ""},
		{"docker.io/acme/shop", ""},
		{"Acme.io/shop", ""}, // host names are case-insensitive
		{long[:MaxNameLength], ""},

		{"", "image repository is empty"},
		{"shop", `image repository "shop" names no registry: write docker.io/library/shop for Docker Hub, or host[:port]/path`},
		{"acme/shop", `image repository "acme/shop" names no registry: write docker.io/acme/shop for Docker Hub`},
		{"my_org__team/app", `names no registry: write docker.io/my_org__team/app`},
		{"shop:v1", `names no registry: write docker.io/library/shop`},
		{"acme.azurecr.io/Shop", `is malformed: it has uppercase letters, and repository paths are lowercase, e.g. acme.azurecr.io/shop`},
		{"Acme.io/Shop:v1", `"Acme.io/Shop:v1" is malformed: it has uppercase letters`},
		{"acme.azurecr.io/shop:v1", `has a tag (:v1): give the repository alone, e.g. acme.azurecr.io/shop`},
		{"localhost:5000/x:latest", `has a tag (:latest)`},
		{"acme.azurecr.io/shop@sha256:" + strings.Repeat("0", 64), `has a digest (@sha256:000`},
		{"acme.azurecr.io/shop:v1@sha256:" + strings.Repeat("0", 64), `has a digest`},
		{long, `is 256 characters long: registries accept at most 255`},
		{long + strings.Repeat("b", 300), `characters long`},
		{"https://acme.azurecr.io/x", "malformed"},
		{"acme//shop", "malformed"},
		{"acme.io/shop;rm", "malformed"},
		{"acme.io/-shop", "malformed"},
		{"acme.io/shop/", "malformed"},
		{"[::1/shop", "malformed"},
		{"::1:5000/shop", "malformed"},
		{"acme.io/sh op", "malformed"},
	}
	for _, tt := range tests {
		err := CheckRepository(tt.repo)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckRepository(%q) = %v, want accepted", tt.repo, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckRepository(%q) = %v, want an error with %q", tt.repo, err, tt.want)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("CheckRepository(%q) error is not one line: %q", tt.repo, err)
		}
	}
}

func TestRegistryHost(t *testing.T) {
	for ref, want := range map[string]string{
		"127.0.0.1:5000/onepipe/tornado":       "127.0.0.1:5000",
		"acme.azurecr.io/shop":                 "acme.azurecr.io",
		"registry.gitlab.com/group/app:v1.2.3": "registry.gitlab.com",
		"[::1]:5000/shop:v1":                   "[::1]:5000",
		"localhost/app":                        "localhost",
		"localhost:5000/x":                     "localhost:5000",
		"index.docker.io/acme/shop":            "docker.io",
		"acme/shop":                            "docker.io",
		"my_org__team/app":                     "docker.io",
		"shop":                                 "docker.io",
		"bad.io/Shop":                          "bad.io",
	} {
		if got := RegistryHost(ref); got != want {
			t.Errorf("RegistryHost(%q) = %q, want %q", ref, got, want)
		}
	}
}

// FuzzCheckRepository: whatever is accepted names a registry, fits the
// length limit and has no tag, digest or whitespace.
func FuzzCheckRepository(f *testing.F) {
	for _, s := range []string{"acme.io/shop", "[::1]:5000/shop", "shop", "a/B:c", "x.io/a@sha256:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, repo string) {
		err := CheckRepository(repo)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error for %q is not one line: %q", repo, err)
			}
			return
		}
		if len(repo) > MaxNameLength || strings.ContainsAny(repo, "@ \t\n\"'$;") || !strings.Contains(repo, "/") {
			t.Errorf("accepted %q", repo)
		}
		if host := RegistryHost(repo); !strings.HasPrefix(repo, host+"/") && host != "docker.io" {
			t.Errorf("RegistryHost(%q) = %q is not its first component", repo, host)
		}
	})
}
