package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/cloud"
)

// KopsRelease is the kops release binary (cloud.KopsVersion) for the
// engine's platform, fetched by the engine.
func KopsRelease(ctx context.Context, dag *dagger.Client) (*dagger.File, error) {
	platform, err := dag.DefaultPlatform(ctx)
	if err != nil {
		return nil, fmt.Errorf("kops: engine platform: %w", Explain(err))
	}
	arch := "amd64"
	if strings.Contains(string(platform), "arm64") {
		arch = "arm64"
	}
	return dag.HTTP(cloud.KopsBinaryURL(cloud.KopsVersion, arch)), nil
}

// Kops makes sure the kops cluster k exists and validates, creating it on
// GCE when its state store has none (an existing cluster is never changed),
// and returns it with the exported admin kubeconfig as a secret. kops (the
// binary, see KopsRelease) runs in a container with the service account key
// mounted as a secret.
func Kops(ctx context.Context, dag *dagger.Client, k cloud.Kops, kops *dagger.File, credentials *dagger.Secret, log io.Writer) (*Cluster, error) {
	ctr := dag.Container().
		From(DebianImage).
		WithEnvVariable("DEBIAN_FRONTEND", "noninteractive").
		WithExec([]string{"apt-get", "update", "-qq"}).
		WithExec([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends", "ca-certificates"}).
		WithFile("/usr/local/bin/kops", kops, dagger.ContainerWithFileOpts{Permissions: 0o755}).
		WithMountedSecret(cloud.KopsCredentialsPath, credentials).
		WithWorkdir(path.Dir(cloud.KopsKubeconfigPath))
	for name, v := range k.Env() {
		ctr = ctr.WithEnvVariable(name, v)
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)

	_, _, err := execFresh(ctx, ctr, k.GetArgs(), run+"-get")
	var ce *CommandError
	exists := err == nil
	if err != nil && !(errors.As(err, &ce) && cloud.KopsMissing(ce.Stderr)) {
		return nil, fmt.Errorf("kops cluster %s: %w", k.Name, err)
	}
	for i, step := range k.Steps(exists) {
		fmt.Fprintf(log, "cluster: %s\n", step.Desc)
		if ctr, _, err = execFresh(ctx, ctr, step.Args, fmt.Sprintf("%s-%d", run, i)); err != nil {
			return nil, fmt.Errorf("kops cluster %s: %s: %w", k.Name, step.Desc, err)
		}
	}
	kubeconfig, err := ctr.File(cloud.KopsKubeconfigPath).Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("kops cluster %s: read the exported kubeconfig: %w", k.Name, Explain(err))
	}
	return ExistingCluster(dag, "kops cluster "+k.Name, dag.SetSecret("onepipe-kops-kubeconfig-"+k.Name, kubeconfig)), nil
}
