package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/pipeline"
)

func init() { registerCommand(newKubectlCommand) }

func newKubectlCommand(env *Env) *cobra.Command {
	var (
		source, envName string
		do              deployOptions
		debug           bool
	)
	cmd := &cobra.Command{
		Use:   "kubectl [flags] -- KUBECTL-ARGS...",
		Short: "Run kubectl against an environment's cluster (the local cluster lives in the engine)",
		Long: `Run one kubectl command against the cluster of an environment and print
what it printed. The local cluster runs inside the Dagger engine, so this is
the way to look at it: it is started again if needed, with the objects the
last deploy left. --kubeconfig reaches any other cluster.`,
		Example: `  onepipe kubectl --source examples/flask -- get deployments,pods --namespace flask-dev
  onepipe kubectl --kubeconfig env:KUBECONFIG_DATA -- get nodes`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(source)
			if err != nil {
				return usageError(err)
			}
			e, ok := cfg.Environments[envName]
			if !ok {
				return usagef("unknown environment %q: use one of %s", envName, strings.Join(cfg.EnvironmentNames(), ", "))
			}
			cl := do.cluster(e.Cluster)
			if err := cl.Validate(envName); err != nil {
				return usageError(err)
			}
			var kubeconfig string
			switch cl.ProviderName() {
			case config.ProviderLocal:
			case config.ProviderExisting:
				if kubeconfig, err = resolveSecret(env, "kubeconfig", cl.Kubeconfig); err != nil {
					return err
				}
			default:
				return usagef("environments.%s.cluster.provider %s: pass --kubeconfig env:NAME to reach it", envName, cl.ProviderName())
			}
			ctx := cmd.Context()
			dag, err := env.Connect(ctx, env, env.Err, debug)
			if err != nil {
				return err
			}
			defer closeEngine(dag, env.Err)
			var c *pipeline.Cluster
			if kubeconfig == "" {
				lc := pipeline.NewLocalCluster(dag, cl.Name)
				if cl.LocalNode == config.LocalNodeReal {
					lc = lc.WithRealNode() // the images the last deploy loaded are kept
				}
				if c, err = lc.Ensure(ctx); err != nil {
					return err
				}
			} else {
				c = pipeline.ExistingCluster(dag, "the cluster of "+cl.Kubeconfig, dag.SetSecret("kubeconfig", kubeconfig))
			}
			out, err := c.Exec(ctx, c.Kubectl(), append([]string{"kubectl"}, args...))
			fmt.Fprint(env.Out, out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&source, "source", "s", ".", "folder of the app (its onepipe.yaml names the environments' clusters)")
	f.StringVarP(&envName, "env", "e", "dev", "environment whose cluster to reach")
	f.StringVar(&do.Cluster, "cluster", "", "reach this kind of cluster instead of the environment's: local or existing")
	f.StringVar(&do.Kubeconfig, "kubeconfig", "", "kubeconfig of an existing cluster as env:NAME or file:PATH")
	f.BoolVar(&debug, "debug", false, "show the engine's progress in more detail")
	return cmd
}
