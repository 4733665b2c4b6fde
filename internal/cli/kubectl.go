package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/plan"
	"github.com/onepipe/onepipe/pipeline"
)

func newKubectlCommand(env *Env) *cobra.Command {
	var (
		so      sourceOptions
		envName string
		deploy  plan.Deploy
		debug   bool
	)
	cmd := &cobra.Command{
		Use:   "kubectl [flags] -- KUBECTL-ARGS...",
		Short: "Run kubectl against an environment's cluster (the local cluster lives in the engine)",
		Long: `Run one kubectl command against the cluster of an environment and print
what it printed. The local cluster runs inside the Dagger engine, so this is
the way to look at it: it is started again if needed, with the objects the
last deploy left. kops and AKS clusters are reached with an exported
kubeconfig (nothing is created); --kubeconfig reaches any other cluster.`,
		Example: `  onepipe kubectl --source examples/flask -- get deployments,pods --namespace flask-dev
  onepipe kubectl --kubeconfig env:KUBECONFIG_DATA -- get nodes`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := loadApp(so)
			if err != nil {
				return err
			}
			provider, err := app.Cluster(envName, deploy, env.plan())
			if err != nil {
				return usageError(err)
			}
			ctx := cmd.Context()
			return onCluster(ctx, env, provider, debug, func(c *pipeline.Cluster) error {
				out, err := c.Exec(ctx, c.Kubectl(), append([]string{"kubectl"}, args...))
				fmt.Fprint(env.Out, out)
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&so.Source, "source", "s", ".", "folder of the app (its onepipe.yaml names the environments' clusters)")
	f.StringVarP(&envName, "env", "e", "dev", "environment whose cluster to reach")
	bindCluster(cmd, &deploy)
	f.BoolVar(&debug, "debug", false, "show the engine's progress in more detail")
	return cmd
}
