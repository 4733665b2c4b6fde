package plan

import (
	"dagger.io/dagger"

	"github.com/onepipe/onepipe/pipeline"
)

// NewPipeline is the app's pipeline on dag, over source (the app folder in
// the engine).
func (p *Plan) NewPipeline(dag *dagger.Client, source *dagger.Directory) *pipeline.Pipeline {
	return pipeline.New(dag, source, p.Pipeline)
}

// Flow is what the run does on dag; log receives the cluster and deploy
// steps.
func (p *Plan) Flow(dag *dagger.Client) pipeline.Flow {
	f := pipeline.Flow{
		Stages:           p.Stages,
		AllowLintFailure: p.AllowLintFailure,
		ExportImage:      p.ExportImage,
	}
	if p.Publish != nil {
		reg := pipeline.Registry{Repository: p.Publish.Repository, Username: p.Publish.Username}
		if v, ok := p.secrets[pipeline.SecretRegistryPassword]; ok {
			reg.Password = pipeline.NewSecret(dag, pipeline.SecretRegistryPassword, p.Publish.Repository, v)
		}
		f.Publish = &pipeline.PublishStep{Registry: reg, Tags: p.Publish.Tags}
	}
	if p.Deploy != nil {
		f.Deploy = &pipeline.Deployment{Cluster: p.Deploy.Cluster, Target: p.Deploy.Target}
	}
	return f
}
