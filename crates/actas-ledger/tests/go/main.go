// Command tlogcheck checks an actas transparency log with Go's golang.org/x/mod/sumdb/note
// and golang.org/x/mod/sumdb/tlog, an implementation independent of ours. It is built and run
// by tests/go_interop.rs in GOPATH mode (Debian: golang-go, golang-golang-x-mod-dev).
//
// Usage:
//
//	tlogcheck verify <log-dir> <verifier-key> <claims-file>
//	tlogcheck sign <key-name> <text-file>
//
// verify opens <log-dir>/checkpoint with the key, recomputes the tree from the entry bundles,
// compares every hash tile with Go's own, reads hashes through tlog.TileHashReader (which
// authenticates our tiles against the signed root), then checks the claims file, one claim a
// line:
//
//	checkpoint <file>                         another signed checkpoint of the same log
//	inclusion <index> <size> <proof-hash>...  our inclusion proof (must verify)
//	consistency <old> <new> <proof-hash>...   our consistency proof (must verify)
//	bad-inclusion ... / bad-consistency ...   tampered proofs (must NOT verify)
//
// Proof hashes are base64; sizes must be those of checkpoints given (or the main one).
//
// sign generates a key pair with note.GenerateKey and prints the signer key, the verifier key
// and the signed note of the text, so the Rust side can open a note signed by Go.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

// c2spPath maps Go's tile path (tile/H/L/NNN[.p/W], tile/H/data/...) to the C2SP tlog-tiles
// one (tile/L/NNN[.p/W], tile/entries/...).
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if strings.HasPrefix(p, "data/") {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func openCheckpoint(msg []byte, verifier note.Verifier) checkpoint {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		fail("checkpoint body is not three lines: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		fail("checkpoint size %q", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("checkpoint hash %q: %v", lines[2], err)
	}
	return checkpoint{origin: lines[0], tree: tlog.Tree{N: size, Hash: h}}
}

// dirTiles reads our tiles from the exported directory for tlog.TileHashReader.
type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return height }

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(d.dir, c2spPath(t)))
		if os.IsNotExist(err) && t.W < 1<<height {
			// C2SP tlog-tiles lets a log drop a partial tile once the full one exists;
			// clients then read the full tile's prefix.
			full := t
			full.W = 1 << height
			data, err = os.ReadFile(filepath.Join(d.dir, c2spPath(full)))
			if err == nil && len(data) >= t.W*tlog.HashSize {
				data = data[:t.W*tlog.HashSize]
			}
		}
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (d dirTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func parseBundle(path string, data []byte) [][]byte {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			fail("%s: truncated length", path)
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data)-2 < n {
			fail("%s: entry runs past the end", path)
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	return entries
}

func parseHashes(fields []string) []tlog.Hash {
	var out []tlog.Hash
	for _, f := range fields {
		h, err := tlog.ParseHash(f)
		if err != nil {
			fail("proof hash %q: %v", f, err)
		}
		out = append(out, h)
	}
	return out
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fail("number %q: %v", s, err)
	}
	return n
}

func verify(dir, vkey, claimsFile string) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("note.NewVerifier: %v", err)
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	cp := openCheckpoint(msg, verifier)
	size := cp.tree.N
	roots := map[int64]tlog.Hash{size: cp.tree.Hash}

	// Entries -> record hashes -> stored hashes, all computed by Go.
	var stored []tlog.Hash
	mem := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d not computed", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	var records []tlog.Hash
	for n := int64(0); n*(1<<height) < size; n++ {
		w := size - n*(1<<height)
		if w > 1<<height {
			w = 1 << height
		}
		t := tlog.Tile{H: height, L: -1, N: n, W: int(w)}
		path := c2spPath(t)
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			fail("%v", err)
		}
		entries := parseBundle(path, data)
		if int64(len(entries)) != w {
			fail("%s: %d entries, want %d", path, len(entries), w)
		}
		for _, e := range entries {
			rh := tlog.RecordHash(e)
			hs, err := tlog.StoredHashes(int64(len(records)), e, mem)
			if err != nil {
				fail("StoredHashes: %v", err)
			}
			stored = append(stored, hs...)
			records = append(records, rh)
		}
	}
	th, err := tlog.TreeHash(size, mem)
	if err != nil {
		fail("TreeHash: %v", err)
	}
	if th != cp.tree.Hash {
		fail("root recomputed by Go %v != checkpoint root %v", th, cp.tree.Hash)
	}

	// Every hash tile we published equals the one Go computes. (This NewTiles lists every
	// intermediate partial width, as the sumdb serves them; C2SP publishes only the last.)
	ntiles := 0
	for _, t := range tlog.NewTiles(height, 0, size) {
		if t.W != 1<<height && int64(t.W) != size>>(height*t.L)-t.N<<height {
			continue
		}
		want, err := tlog.ReadTileData(t, mem)
		if err != nil {
			fail("ReadTileData %v: %v", t.Path(), err)
		}
		got, err := os.ReadFile(filepath.Join(dir, c2spPath(t)))
		if err != nil {
			fail("%v", err)
		}
		if !bytes.Equal(got, want) {
			fail("%s differs from Go's tile", c2spPath(t))
		}
		ntiles++
	}

	// Read every leaf hash through our tiles, authenticated against the signed root by Go.
	thr := tlog.TileHashReader(cp.tree, dirTiles{dir})
	indexes := make([]int64, size)
	for i := range indexes {
		indexes[i] = tlog.StoredHashIndex(0, int64(i))
	}
	leafHashes, err := thr.ReadHashes(indexes)
	if err != nil {
		fail("TileHashReader: %v", err)
	}
	for i, h := range leafHashes {
		if h != records[i] {
			fail("TileHashReader leaf %d differs from the entry's record hash", i)
		}
	}

	// Claims.
	claims, err := os.ReadFile(claimsFile)
	if err != nil {
		fail("%v", err)
	}
	nproofs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(claims)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		root := func(s int64) tlog.Hash {
			h, ok := roots[s]
			if !ok {
				fail("no signed checkpoint of size %d given", s)
			}
			return h
		}
		switch f[0] {
		case "checkpoint":
			msg, err := os.ReadFile(f[1])
			if err != nil {
				fail("%v", err)
			}
			c := openCheckpoint(msg, verifier)
			if c.origin != cp.origin {
				fail("checkpoint %s has origin %q, want %q", f[1], c.origin, cp.origin)
			}
			roots[c.tree.N] = c.tree.Hash
		case "inclusion", "bad-inclusion":
			index, t := atoi(f[1]), atoi(f[2])
			proof := parseHashes(f[3:])
			err := tlog.CheckRecord(proof, t, root(t), index, records[index])
			if f[0] == "bad-inclusion" {
				if err == nil {
					fail("tampered inclusion proof %d/%d verified", index, t)
				}
				break
			}
			if err != nil {
				fail("CheckRecord %d/%d: %v", index, t, err)
			}
			goProof, err := tlog.ProveRecord(t, index, mem)
			if err != nil || fmt.Sprint(goProof) != fmt.Sprint(proof) {
				fail("ProveRecord %d/%d differs from ours (%v)", index, t, err)
			}
			// And through the tiles, as a client of the published log would.
			tileProof, err := tlog.ProveRecord(t, index, tlog.TileHashReader(tlog.Tree{N: t, Hash: root(t)}, dirTiles{dir}))
			if err != nil || fmt.Sprint(tileProof) != fmt.Sprint(proof) {
				fail("ProveRecord %d/%d from tiles differs from ours (%v)", index, t, err)
			}
			nproofs++
		case "consistency", "bad-consistency":
			old, t := atoi(f[1]), atoi(f[2])
			proof := parseHashes(f[3:])
			err := tlog.CheckTree(proof, t, root(t), old, root(old))
			if f[0] == "bad-consistency" {
				if err == nil {
					fail("tampered consistency proof %d->%d verified", old, t)
				}
				break
			}
			if err != nil {
				fail("CheckTree %d->%d: %v", old, t, err)
			}
			goProof, err := tlog.ProveTree(t, old, mem)
			if err != nil || fmt.Sprint(goProof) != fmt.Sprint(proof) {
				fail("ProveTree %d->%d differs from ours (%v)", old, t, err)
			}
			nproofs++
		default:
			fail("unknown claim %q", f[0])
		}
	}
	fmt.Printf("ok: %s size %d, %d hash tiles, %d proofs checked by golang.org/x/mod/sumdb\n",
		cp.origin, size, ntiles, nproofs)
}

func sign(name, textFile string) {
	text, err := os.ReadFile(textFile)
	if err != nil {
		fail("%v", err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		fail("GenerateKey: %v", err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		fail("NewSigner: %v", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
	if err != nil {
		fail("Sign: %v", err)
	}
	fmt.Printf("%s\n%s\n%s", skey, vkey, msg)
}

func main() {
	if len(os.Args) == 5 && os.Args[1] == "verify" {
		verify(os.Args[2], os.Args[3], os.Args[4])
	} else if len(os.Args) == 4 && os.Args[1] == "sign" {
		sign(os.Args[2], os.Args[3])
	} else {
		fail("usage: tlogcheck verify <dir> <vkey> <claims> | tlogcheck sign <name> <text-file>")
	}
}
