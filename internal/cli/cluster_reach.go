package cli

import (
	"context"

	"github.com/onepipe/onepipe/pipeline"
)

// onCluster connects to the engine, reaches provider's cluster as it is
// (creating and changing nothing; the local cluster starts with its kept
// state) and runs do with it; the engine session ends when do returns. The
// commands that work on a cluster outside a run (kubectl, down) share it.
func onCluster(ctx context.Context, env *Env, provider pipeline.ClusterProvider, debug bool, do func(*pipeline.Cluster) error) error {
	dag, err := env.Connect(ctx, env, env.Err, debug)
	if err != nil {
		return err
	}
	defer closeEngine(dag, env.Err)
	c, err := provider.Reach(ctx, pipeline.Engine{Dag: dag, Log: env.Err})
	if err != nil {
		return err
	}
	return do(c)
}
