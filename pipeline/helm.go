package pipeline

import (
	"context"
	"fmt"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// helmModule is the Go module helm is built from.
const helmModule = "helm.sh/helm/v3"

// helmLDFlags stamp the version helm version prints.
const helmLDFlags = "-s -w -X " + helmModule + "/internal/version.version=" + versions.Helm +
	" -X " + helmModule + "/internal/version.gitTreeState=clean"

// HelmBinary builds helm (versions.Helm) from the Go module proxy in a
// golang container, as KubernetesBinaries builds the cluster's binaries:
// the Go module and build caches are cache volumes and the engine caches
// the result, so only the first deploy with a chart waits for it (about 3
// minutes). helm version prints versions.Helm.
func HelmBinary(dag *dagger.Client) *dagger.File {
	const bin = "/out"
	return goBuilder(dag).
		WithEnvVariable("GOBIN", bin).
		WithExec([]string{"go", "install", "-trimpath", "-ldflags=" + helmLDFlags, helmModule + "/cmd/helm@" + versions.Helm}).
		File(bin + "/helm")
}

// cachedHelm is HelmBinary through the registry cache (as the cluster's
// binaries are, for fresh CI engines), keyed by the helm version, its build
// flags and the golang image's digest; nil cache: the engine's cache only.
func cachedHelm(ctx context.Context, dag *dagger.Client, cache *RegistryCache) (*dagger.File, error) {
	if cache == nil {
		return HelmBinary(dag), nil
	}
	golang, err := dag.Container().From(versions.GolangImage).ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", versions.GolangImage, Explain(err))
	}
	dir, _, err := cache.Directory(ctx, dag, "helm", CacheKey(golang, versions.Helm, helmLDFlags), func() *dagger.Directory {
		return dag.Directory().WithFile("helm", HelmBinary(dag))
	})
	if err != nil {
		return nil, fmt.Errorf("build helm %s: %w", versions.Helm, Explain(err))
	}
	return dir.File("helm"), nil
}
