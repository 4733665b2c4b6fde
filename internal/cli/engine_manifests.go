package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/engine"
)

// newEngineCommand groups the commands about the Dagger engine onepipe's
// jobs run on.
func newEngineCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "engine <command> [flags]",
		Short: "Set up a shared Dagger engine for a team's CI jobs",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newEngineManifestsCommand(env))
	return cmd
}

// engineManifestsOptions are the flags of `engine manifests`.
type engineManifestsOptions struct {
	Namespace    string
	Name         string
	Kind         string
	Storage      string
	StorageClass string
}

func newEngineManifestsCommand(env *Env) *cobra.Command {
	o := &engineManifestsOptions{}
	cmd := &cobra.Command{
		Use:   "manifests [flags]",
		Short: "Print Kubernetes manifests for a long-lived Dagger engine that every CI job shares",
		Long: `Print the Kubernetes manifests of a long-lived Dagger engine: its Namespace,
the Role a job needs to reach it, and a privileged engine (` + "`dagger core version`" + `
as readiness probe, 5 minutes to stop) as a StatefulSet whose cache is a
volume that survives restarts, or with --kind daemonset one engine per node
with its cache on the node. Nothing is applied: pipe them to kubectl.

The comment at the top gives the _EXPERIMENTAL_DAGGER_RUNNER_HOST value jobs
set to use the engine (kube-pod://NAME-0?namespace=NAMESPACE&container=dagger-engine):
every runner then shares one warm cache instead of starting cold.`,
		Example: `  onepipe engine manifests > dagger-engine.yaml
  kubectl apply --server-side -f dagger-engine.yaml

  # a bigger cache on a given StorageClass, in another namespace
  onepipe engine manifests --namespace ci --storage 500Gi --storage-class premium-rwo

  # one engine per node, for runners spread over the nodes
  onepipe engine manifests --kind daemonset`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := o.resolve(cmd)
			if err != nil {
				return err
			}
			out, err := engine.Render(opts)
			if err != nil {
				return engineUsage(err)
			}
			if _, err := env.Out.Write(out); err != nil {
				return fmt.Errorf("write the engine manifests: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Namespace, "namespace", "n", engine.DefaultNamespace, "namespace the engine runs in (the manifests create it)")
	f.StringVar(&o.Name, "name", engine.DefaultName, "name of the engine's StatefulSet or DaemonSet; a StatefulSet's pod is NAME-0")
	f.StringVar(&o.Kind, "kind", string(engine.DefaultKind), "statefulset (one engine, its cache on a volume) or daemonset (one engine per node, its cache on the node)")
	f.StringVar(&o.Storage, "storage", engine.DefaultStorage, "size of the StatefulSet's cache volume")
	f.StringVar(&o.StorageClass, "storage-class", "", "StorageClass of the StatefulSet's cache volume (default: the cluster's default)")
	return cmd
}

// resolve turns the flags into engine options. A DaemonSet has no volume:
// --storage's default does not apply to it, and giving it is an error.
func (o *engineManifestsOptions) resolve(cmd *cobra.Command) (engine.Options, error) {
	kind, err := engine.ParseKind(o.Kind)
	if err != nil {
		return engine.Options{}, engineUsage(err)
	}
	opts := engine.Options{Namespace: o.Namespace, Name: o.Name, Kind: kind, Storage: o.Storage, StorageClass: o.StorageClass}
	if kind == engine.DaemonSet && !cmd.Flags().Changed("storage") {
		opts.Storage = ""
	}
	return opts, nil
}

// engineUsage words an invalid option as the flag that set it.
func engineUsage(err error) error {
	var inv *engine.InvalidError
	if errors.As(err, &inv) {
		return usagef("--%s %q: %s", inv.Field, inv.Value, inv.Fix)
	}
	return err
}
