// Package imageref checks image repository names by the grammar container
// engines and registries use (github.com/distribution/reference), so that a
// bad --publish fails in one line before any work starts and `onepipe init`
// writes no CI file that pushes to a name no registry accepts. The pipeline
// and the CI shims both call CheckRepository: one check, not two.
package imageref

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// MaxNameLength bounds a repository name: host[:port]/path, as a whole. The
// OCI distribution spec notes that clients limit that concatenation to 255
// characters; the reference library itself only bounds the path.
const MaxNameLength = 255

// dockerHub is the registry host of names that give none.
const dockerHub = "docker.io"

// CheckRepository validates an image repository that onepipe pushes to: a
// registry host (host[:port], an IPv6 address in brackets, or localhost),
// then a lowercase path, without a tag or digest (onepipe picks the tags).
// A name without a host would silently mean Docker Hub, so it is refused with
// the spelled-out Docker Hub name to write instead. Every error is one line
// that names the repository and says what to write.
func CheckRepository(repo string) error {
	if repo == "" {
		return fmt.Errorf("image repository is empty: use host[:port]/path, e.g. acme.azurecr.io/shop")
	}
	named, err := reference.ParseNormalizedNamed(repo)
	if err != nil {
		if lower := strings.ToLower(repo); lower != repo {
			if ln, lerr := reference.ParseNormalizedNamed(lower); lerr == nil {
				return fmt.Errorf("image repository %q is malformed: it has uppercase letters, and repository paths are lowercase, e.g. %s", repo, reference.TrimNamed(ln).Name())
			}
		}
		if len(repo) > MaxNameLength {
			return tooLong(repo)
		}
		return fmt.Errorf("image repository %q is malformed: use host[:port]/path in lowercase, without a tag (e.g. acme.azurecr.io/shop)", repo)
	}
	given := repo
	tagged, isTagged := named.(reference.Tagged)
	digested, isDigested := named.(reference.Digested)
	if isDigested {
		given = strings.TrimSuffix(given, "@"+digested.Digest().String())
	}
	if isTagged {
		given = strings.TrimSuffix(given, ":"+tagged.Tag())
	}
	name := reference.TrimNamed(named)
	if reference.Domain(name) == dockerHub && reference.FamiliarName(name) == given {
		return fmt.Errorf("image repository %q names no registry: write %s for Docker Hub, or host[:port]/path", repo, name.Name())
	}
	switch {
	case isDigested:
		return fmt.Errorf("image repository %q has a digest (@%s): give the repository alone, e.g. %s; onepipe pushes by tag and reports the digest", repo, digested.Digest(), given)
	case isTagged:
		return fmt.Errorf("image repository %q has a tag (:%s): give the repository alone, e.g. %s; onepipe picks the tags", repo, tagged.Tag(), given)
	}
	if len(repo) > MaxNameLength {
		return tooLong(repo)
	}
	return nil
}

func tooLong(repo string) error {
	return fmt.Errorf("image repository %q is %d characters long: registries accept at most %d for host[:port]/path, so shorten it", repo, len(repo), MaxNameLength)
}

// RegistryHost returns the registry host of an image reference (with or
// without a tag), as container engines read it: the first path component when
// it holds a '.' or ':' or is localhost, else docker.io.
func RegistryHost(ref string) string {
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		return reference.Domain(named)
	}
	// Not a valid reference: apply the same rule by hand, for messages.
	first, _, found := strings.Cut(ref, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return dockerHub
}
