package plan

import "github.com/onepipe/onepipe/pipeline"

// packager is the deploy target when it ships a package of its own instead
// of the app's image (a Function App's zip) and nothing is published: the
// run's pack stage builds that package then.
func (p *Plan) packager() (pipeline.Packager, bool) {
	if p.Deploy == nil || p.Publish != nil {
		return nil, false
	}
	pk, ok := p.Deploy.Target.(pipeline.Packager)
	return pk, ok
}
