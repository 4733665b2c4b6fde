package plan

import (
	"fmt"
	"slices"
	"strings"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// The operating systems, architectures and variants an OCI image platform
// names (the values of GOOS/GOARCH that images are published for).
var (
	platformOS    = []string{"linux", "windows", "darwin", "freebsd"}
	platformArch  = []string{"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le", "loong64"}
	platformVaria = map[string][]string{"arm": {"v5", "v6", "v7"}, "arm64": {"v8"}, "amd64": {"v1", "v2", "v3", "v4"}}
)

// parsePlatforms checks --platform (or platforms: of onepipe.yaml), dropping
// repeats; none means versions.DefaultPlatform.
func parsePlatforms(flags, fromConfig []string) ([]dagger.Platform, error) {
	list, from := flags, "--platform"
	if len(list) == 0 {
		list, from = fromConfig, "platforms"
	}
	var out []dagger.Platform
	for _, s := range list {
		s = strings.TrimSpace(s)
		if err := checkPlatform(s); err != nil {
			return nil, fmt.Errorf("%s %q: %w", from, s, err)
		}
		if !slices.Contains(out, dagger.Platform(s)) {
			out = append(out, dagger.Platform(s))
		}
	}
	if len(out) == 0 {
		out = []dagger.Platform{versions.DefaultPlatform}
	}
	return out, nil
}

func checkPlatform(s string) error {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("use os/arch such as linux/amd64 or linux/arm64")
	}
	os, arch := parts[0], parts[1]
	switch {
	case !slices.Contains(platformOS, os):
		return fmt.Errorf("unknown operating system %q: use one of %s (e.g. linux/amd64)", os, strings.Join(platformOS, ", "))
	case !slices.Contains(platformArch, arch):
		return fmt.Errorf("unknown architecture %q: use one of %s (e.g. linux/arm64)", arch, strings.Join(platformArch, ", "))
	case len(parts) == 3 && !slices.Contains(platformVaria[arch], parts[2]):
		return fmt.Errorf("unknown variant %q of %s: use %s", parts[2], arch, orNone(strings.Join(platformVaria[arch], ", ")))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
