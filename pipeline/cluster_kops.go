package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/kops"
	"github.com/onepipe/onepipe/internal/versions"
)

// kopsProvider is a kops cluster on GCE. The kops release binary runs in a
// container with the GCP service account key mounted as a secret: `kops get
// cluster`, and only when the state store has none `kops create cluster` +
// `kops update cluster --yes`; then an admin kubeconfig is exported and the
// run waits for `kops validate cluster`. An existing cluster is never changed.
type kopsProvider struct {
	cluster     kops.Cluster
	credentials string // the service account key; never printed
	// binary overrides the release binary (tests use a stand-in).
	binary func(ctx context.Context, dag *dagger.Client) (*dagger.File, error)
}

func newKopsProvider(in ClusterInput) (ClusterProvider, error) {
	k, err := kops.New(in.Env, in.Cluster)
	if err != nil {
		return nil, err
	}
	field := fmt.Sprintf("environments.%s.cluster.kops.credentials", in.Env)
	if in.Cluster.Kops.Credentials == "" {
		return nil, fmt.Errorf("%s: name the GCP service account key, e.g. env:GOOGLE_CREDENTIALS_JSON", field)
	}
	creds, err := in.Secret(field, in.Cluster.Kops.Credentials)
	if err != nil {
		return nil, err
	}
	return &kopsProvider{cluster: k, credentials: creds, binary: kopsRelease}, nil
}

func (p *kopsProvider) Plan() []string {
	return append([]string{"kops " + versions.Kops + " (GCE)"}, p.cluster.Plan()...)
}

// kopsRelease is the kops release binary (versions.Kops) for the engine's
// platform, fetched by the engine.
func kopsRelease(ctx context.Context, dag *dagger.Client) (*dagger.File, error) {
	platform, err := dag.DefaultPlatform(ctx)
	if err != nil {
		return nil, fmt.Errorf("kops: engine platform: %w", Explain(err))
	}
	arch := "amd64"
	if strings.Contains(string(platform), "arm64") {
		arch = "arm64"
	}
	return dag.HTTP(kops.BinaryURL(versions.Kops, arch)), nil
}

// container is kops with the service account key, ready to run.
func (p *kopsProvider) container(ctx context.Context, dag *dagger.Client) (*dagger.Container, error) {
	bin, err := p.binary(ctx, dag)
	if err != nil {
		return nil, err
	}
	ctr := dag.Container().
		From(versions.DebianImage).
		WithEnvVariable("DEBIAN_FRONTEND", "noninteractive").
		WithExec([]string{"apt-get", "update", "-qq"}).
		WithExec([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends", "ca-certificates"}).
		WithFile("/usr/local/bin/kops", bin, dagger.ContainerWithFileOpts{Permissions: 0o755}).
		WithMountedSecret(kops.CredentialsPath, NewSecret(dag, SecretGCPCredentials, p.cluster.Name, p.credentials)).
		WithWorkdir(path.Dir(kops.KubeconfigPath))
	for name, v := range p.cluster.Env() {
		ctr = ctr.WithEnvVariable(name, v)
	}
	return ctr, nil
}

// Ensure creates the cluster when its state store has none, then exports
// an admin kubeconfig and waits until the cluster validates.
func (p *kopsProvider) Ensure(ctx context.Context, e Engine) (*Cluster, error) {
	k := p.cluster
	ctr, err := p.container(ctx, e.Dag)
	if err != nil {
		return nil, err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	_, _, err = execFresh(ctx, ctr, k.GetArgs(), run+"-get")
	var ce *CommandError
	exists := err == nil
	if err != nil && !(errors.As(err, &ce) && kops.Missing(ce.Stderr)) {
		return nil, fmt.Errorf("kops cluster %s: %w", k.Name, err)
	}
	return p.run(ctx, e, ctr, k.Steps(exists), run)
}

// Reach exports an admin kubeconfig of the cluster as it is.
func (p *kopsProvider) Reach(ctx context.Context, e Engine) (*Cluster, error) {
	ctr, err := p.container(ctx, e.Dag)
	if err != nil {
		return nil, err
	}
	export := kops.Step{Desc: "export an admin kubeconfig for cluster " + p.cluster.Name, Args: p.cluster.ExportKubeconfigArgs()}
	return p.run(ctx, e, ctr, []kops.Step{export}, strconv.FormatInt(time.Now().UnixNano(), 36))
}

// run runs steps in ctr, one after the other, and returns the cluster with
// the kubeconfig they exported.
func (p *kopsProvider) run(ctx context.Context, e Engine, ctr *dagger.Container, steps []kops.Step, run string) (*Cluster, error) {
	name := p.cluster.Name
	var err error
	for i, step := range steps {
		fmt.Fprintf(e.log(), "cluster: %s\n", step.Desc)
		if ctr, _, err = execFresh(ctx, ctr, step.Args, fmt.Sprintf("%s-%d", run, i)); err != nil {
			return nil, fmt.Errorf("kops cluster %s: %s: %w", name, step.Desc, err)
		}
	}
	kubeconfig, err := ctr.File(kops.KubeconfigPath).Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("kops cluster %s: read the exported kubeconfig: %w", name, Explain(err))
	}
	return kubeconfigCluster(ctx, e, "kops cluster "+name, NewSecret(e.Dag, SecretKubeconfig, "kops-"+name, kubeconfig))
}

// PullsImages is true: the cluster pulls the pushed image.
func (p *kopsProvider) PullsImages() bool { return true }
