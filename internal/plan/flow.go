package plan

import (
	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/registry"
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
		f.Publish = &pipeline.PublishStep{Registry: reg, Tags: p.Publish.Tags, Promote: p.promotion()}
	}
	if p.Deploy != nil {
		f.Deploy = &pipeline.Deployment{Cluster: p.Deploy.Cluster, Target: p.Deploy.Target}
	}
	f.Cache = p.registryCache(dag)
	f.Scan = p.scanStep(dag)
	return f
}

// promotion lets a release tag the image its commit's branch pipeline
// pushed (under the commit's short SHA) instead of building it again; nil
// for runs that are not releases.
func (p *Plan) promotion() *pipeline.Promotion {
	if !p.Release.Release || p.CI.SHA == "" || p.CI.ShortSHA == "" {
		return nil
	}
	return &pipeline.Promotion{
		Registry: registry.Client{Repository: p.Publish.Repository, Username: p.Publish.Username, Password: p.secrets[pipeline.SecretRegistryPassword]},
		From:     p.CI.ShortSHA,
		Revision: p.CI.SHA,
	}
}
