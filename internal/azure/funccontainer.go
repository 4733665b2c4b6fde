package azure

import (
	"context"
	"fmt"
	"strings"
)

// FunctionContainerDeploy points a Function App on a container at an image
// and can point it back at the one it ran before.
type FunctionContainerDeploy struct {
	ARM *ARM
	App FunctionApp
	// Registry is how the app pulls (nil: a public image).
	Registry *RegistryCreds
	// Restart restarts the app after the change, and after a rollback.
	Restart bool
}

// ContainerDeployed is what a deploy did.
type ContainerDeployed struct {
	Site Site
	// Previous is the app's linuxFxVersion before the deploy.
	Previous string
	// Changed is true once the app was pointed at the new image.
	Changed bool
}

// Deploy records the app's linuxFxVersion, sets the image (SetContainerImage),
// restarts the app when asked and reads its host names.
func (d *FunctionContainerDeploy) Deploy(ctx context.Context, image string) (ContainerDeployed, error) {
	var out ContainerDeployed
	prev, err := d.ARM.LinuxFxVersion(ctx, d.App)
	if err != nil {
		return out, err
	}
	out.Previous = prev
	if err := d.ARM.SetContainerImage(ctx, d.App, image, d.Registry); err != nil {
		return out, err
	}
	out.Changed = true
	if d.Restart {
		if err := d.ARM.Restart(ctx, d.App); err != nil {
			return out, err
		}
	}
	out.Site, err = d.ARM.Site(ctx, d.App)
	return out, err
}

// Rollback sets the linuxFxVersion the app had before the deploy (and
// restarts it when the deploy did). An app that ran no image before has
// nothing to return to.
func (d *FunctionContainerDeploy) Rollback(ctx context.Context, did ContainerDeployed) error {
	if !strings.HasPrefix(strings.ToUpper(did.Previous), "DOCKER|") {
		return fmt.Errorf("%s ran no image before (linuxFxVersion %q): %w", d.App, did.Previous, ErrNoRollback)
	}
	if err := d.ARM.SetLinuxFxVersion(ctx, d.App, did.Previous); err != nil {
		return fmt.Errorf("roll %s back: %w", d.App, err)
	}
	if d.Restart {
		return d.ARM.Restart(ctx, d.App)
	}
	return nil
}
