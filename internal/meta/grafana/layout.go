package grafana

import (
	"sort"

	"github.com/overlook-dev/overlook/internal/meta"
)

// Grid: Grafana's and overlook's grids both have 24 columns and ~30 px
// rows, so gridPos carries over unchanged.
const (
	cols       = 24
	rowPx      = 30
	maxH       = 200
	maxY       = 100000
	defaultW   = 12
	defaultH   = 8
	legacySpan = 12 // the legacy layout's columns
)

// layoutPanels places schemaVersion >= 16 panels. Rows become a one-unit
// header tile; a collapsed row's panels are laid out below it (as Grafana
// does when the row is expanded), shifting everything after them down.
func (c *converter) layoutPanels(panels []panel) {
	ordered := append([]panel(nil), panels...)
	sort.SliceStable(ordered, func(i, j int) bool {
		return pos(ordered[i]).Y < pos(ordered[j]).Y ||
			pos(ordered[i]).Y == pos(ordered[j]).Y && pos(ordered[i]).X < pos(ordered[j]).X
	})
	shift := 0
	for _, p := range ordered {
		g := pos(p)
		g.Y += shift
		if p.Type != "row" {
			if len(p.Panels) > 0 {
				c.note(title(p), p.idString(), "panels nested in a non-row panel are not imported")
			}
			c.addPanel(p, g)
			continue
		}
		c.addRowHeader(p.Title, g.Y)
		if !p.Collapsed || len(p.Panels) == 0 {
			if len(p.Panels) > 0 {
				c.note(title(p), p.idString(), "an expanded row lists nested panels: they are not imported")
			}
			continue
		}
		children := append([]panel(nil), p.Panels...)
		sort.SliceStable(children, func(i, j int) bool {
			return pos(children[i]).Y < pos(children[j]).Y ||
				pos(children[i]).Y == pos(children[j]).Y && pos(children[i]).X < pos(children[j]).X
		})
		minY := pos(children[0]).Y
		bottom := g.Y + 1
		for _, ch := range children {
			if ch.Type == "row" {
				c.note(title(ch), ch.idString(), "a row nested in a row is not imported")
				continue
			}
			cg := pos(ch)
			cg.Y = g.Y + 1 + clamp(cg.Y-minY, 0, maxY)
			c.addPanel(ch, cg)
			bottom = max(bottom, cg.Y+cg.H)
		}
		shift += bottom - (g.Y + 1)
	}
}

// layoutRows places the legacy (schemaVersion < 16) layout: rows of panels
// with a span out of 12 columns and the row's height in pixels.
func (c *converter) layoutRows(rows []legacyRow) {
	y := 0
	for _, r := range rows {
		if r.Title != "" && (r.ShowTitle || r.Collapse) {
			c.addRowHeader(r.Title, y)
			y++
		}
		if r.Repeat != "" {
			c.note(r.Title, "", "the row repeats by $"+r.Repeat+": imported once")
		}
		h := defaultH
		if px := pixels(r.Height); px > 0 {
			h = clamp((px+rowPx-1)/rowPx, 1, maxH)
		}
		x, rowH := 0, 0
		for _, p := range r.Panels {
			w := cols
			if p.Span > 0 {
				w = clamp(int(p.Span*cols/legacySpan+0.5), 1, cols)
			}
			if x+w > cols {
				x, y = 0, y+rowH
				rowH = 0
			}
			ph := h
			if px := pixels(p.Height); px > 0 {
				ph = clamp((px+rowPx-1)/rowPx, 1, maxH)
			}
			c.addPanel(p, gridPos{X: x, Y: y, W: w, H: ph})
			x += w
			rowH = max(rowH, ph)
		}
		y += rowH
	}
}

// addRowHeader adds a row's title as a one-unit text tile.
func (c *converter) addRowHeader(name string, y int) {
	if name == "" {
		return
	}
	c.place(meta.Tile{X: 0, Y: y, W: cols, H: 1, Config: meta.TileConfig{Name: name, DisplayType: "markdown", Select: []meta.Select{}}})
}

// addPanel converts one panel and places it at g.
func (c *converter) addPanel(p panel, g gridPos) {
	cfg, ok := c.panelConfig(p)
	if !ok {
		return
	}
	c.place(meta.Tile{X: g.X, Y: g.Y, W: g.W, H: g.H, Config: cfg})
}

// place clamps a tile into the grid and appends it, up to MaxPanels.
func (c *converter) place(t meta.Tile) {
	if len(c.tiles) >= MaxPanels {
		c.dropped++
		return
	}
	t.W = clamp(t.W, 1, cols)
	t.X = clamp(t.X, 0, cols-t.W)
	t.Y = clamp(t.Y, 0, maxY)
	t.H = clamp(t.H, 1, maxH)
	c.tiles = append(c.tiles, t)
}

// pos is a panel's grid position, with Grafana's defaults for missing
// or zero sizes.
func pos(p panel) gridPos {
	if p.GridPos == nil {
		return gridPos{W: defaultW, H: defaultH}
	}
	g := *p.GridPos
	if g.W <= 0 {
		g.W = defaultW
	}
	if g.H <= 0 {
		g.H = defaultH
		if p.Type == "row" {
			g.H = 1
		}
	}
	g.X = clamp(g.X, 0, cols)
	g.Y = clamp(g.Y, 0, maxY)
	return g
}

func clamp(v, lo, hi int) int {
	return min(max(v, lo), hi)
}

func title(p panel) string {
	if p.Title != "" {
		return p.Title
	}
	if p.Type != "" {
		return "(untitled " + p.Type + " panel)"
	}
	return "(untitled panel)"
}
