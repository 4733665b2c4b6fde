package cli

import (
	"dagger.io/dagger"

	"github.com/onepipe/onepipe/pipeline"
)

// steps returns the stages that follow publish (cluster, deploy, Azure
// targets) for this plan. Files that add such stages append to stepBuilders.
func (p *plan) steps(dag *dagger.Client) []pipeline.Step {
	var out []pipeline.Step
	for _, b := range stepBuilders {
		out = append(out, b(p, dag)...)
	}
	return out
}

var stepBuilders []func(*plan, *dagger.Client) []pipeline.Step
