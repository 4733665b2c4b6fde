package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Load reads onepipe.yaml from dir. A missing file yields the defaults;
// anything but a regular file (a folder, a named pipe, a device) is refused
// before it is opened, as reading a named pipe would wait for a writer.
func Load(dir string) (Config, error) {
	path := filepath.Join(dir, FileName)
	data, err := readRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}.WithDefaults(filepath.Base(mustAbs(dir))), nil
	}
	if err != nil {
		return Config{}, &Error{File: path, Err: err}
	}
	c, err := Parse(data)
	if ce := (*Error)(nil); errors.As(err, &ce) && ce.File == "" {
		ce.File = path
		return Config{}, ce
	}
	if err != nil {
		return Config{}, &Error{File: path, Err: err}
	}
	return c.WithDefaults(filepath.Base(mustAbs(dir))), nil
}

// readRegular reads path if it is a regular file (or a link to one). A
// missing file yields an error matching fs.ErrNotExist; a link to nothing
// does not, as the file is there but broken.
func readRegular(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if target, lerr := os.Readlink(path); lerr == nil {
			return nil, fmt.Errorf("a symbolic link to %s, which does not exist: fix the link or remove it", target)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s): replace it with a YAML file, or remove it to use the defaults", fileKind(info.Mode()))
	}
	return os.ReadFile(path)
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}
