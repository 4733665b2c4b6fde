package pipeline

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"dagger.io/dagger"
)

// EngineFS reads a directory that lives in the engine (the Dagger module's
// source) as an fs.FS, so that the plan can inspect an app folder it has no
// host path for. Files are read on first use and kept; listing a folder is
// one call, reading a file one more.
func EngineFS(ctx context.Context, dir *dagger.Directory) fs.FS {
	return &engineFS{ctx: ctx, dir: dir, entries: map[string][]string{}, files: map[string][]byte{}}
}

type engineFS struct {
	ctx context.Context
	dir *dagger.Directory

	mu      sync.Mutex
	entries map[string][]string // folder → names, folders ending in "/"
	files   map[string][]byte
}

func (e *engineFS) list(name string) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if names, ok := e.entries[name]; ok {
		return names, nil
	}
	d := e.dir
	if name != "." {
		d = e.dir.Directory(name)
	}
	names, err := d.Entries(e.ctx)
	if err != nil {
		return nil, Explain(err)
	}
	e.entries[name] = names
	return names, nil
}

// kind says whether name is a file or a folder, from its parent's listing.
func (e *engineFS) kind(name string) (isDir bool, err error) {
	if name == "." {
		return true, nil
	}
	names, err := e.list(path.Dir(name))
	if err != nil {
		return false, fs.ErrNotExist
	}
	base := path.Base(name)
	for _, n := range names {
		switch n {
		case base:
			return false, nil
		case base + "/":
			return true, nil
		}
	}
	return false, fs.ErrNotExist
}

func (e *engineFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	isDir, err := e.kind(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if isDir {
		return &engineDir{fsys: e, name: name}, nil
	}
	data, err := e.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &engineFile{name: name, r: strings.NewReader(string(data)), size: int64(len(data))}, nil
}

func (e *engineFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	e.mu.Lock()
	data, ok := e.files[name]
	e.mu.Unlock()
	if ok {
		return slices.Clone(data), nil
	}
	if isDir, err := e.kind(name); err != nil || isDir {
		if err == nil {
			err = errors.New("is a directory")
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	s, err := e.dir.File(name).Contents(e.ctx)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: Explain(err)}
	}
	e.mu.Lock()
	e.files[name] = []byte(s)
	e.mu.Unlock()
	return []byte(s), nil // a copy of what is kept
}

func (e *engineFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	if isDir, err := e.kind(name); err != nil || !isDir {
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	names, err := e.list(name)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		out = append(out, &entryInfo{name: strings.TrimSuffix(n, "/"), dir: strings.HasSuffix(n, "/"), fsys: e, path: path.Join(name, n)})
	}
	return out, nil
}

// entryInfo is a listing entry; a file's size is read when asked for,
// times are not known.
type entryInfo struct {
	name string
	dir  bool
	size int64
	// fsys and path read the size of a listed file on Info.
	fsys *engineFS
	path string
}

func (i *entryInfo) Name() string { return i.name }
func (i *entryInfo) IsDir() bool  { return i.dir }
func (i *entryInfo) Type() fs.FileMode {
	if i.dir {
		return fs.ModeDir
	}
	return 0
}
func (i *entryInfo) Info() (fs.FileInfo, error) {
	if !i.dir && i.fsys != nil {
		data, err := i.fsys.ReadFile(i.path)
		if err != nil {
			return nil, err
		}
		return &entryInfo{name: i.name, size: int64(len(data))}, nil
	}
	return i, nil
}
func (i *entryInfo) Size() int64 { return i.size }
func (i *entryInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i *entryInfo) ModTime() time.Time { return time.Time{} }
func (i *entryInfo) Sys() any           { return nil }

type engineFile struct {
	name string
	r    *strings.Reader
	size int64
}

func (f *engineFile) Stat() (fs.FileInfo, error) {
	return &entryInfo{name: path.Base(f.name), size: f.size}, nil
}
func (f *engineFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *engineFile) Close() error               { return nil }

type engineDir struct {
	fsys    *engineFS
	name    string
	entries []fs.DirEntry // nil until the first ReadDir
	offset  int
}

func (d *engineDir) Stat() (fs.FileInfo, error) {
	return &entryInfo{name: path.Base(d.name), dir: true}, nil
}
func (d *engineDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *engineDir) Close() error { return nil }

// ReadDir lists the folder: all that is left with n <= 0, else at most n
// entries (io.EOF at the end).
func (d *engineDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.entries == nil {
		all, err := d.fsys.ReadDir(d.name)
		if err != nil {
			return nil, err
		}
		d.entries = all
	}
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.offset += n
	return rest[:n], nil
}
