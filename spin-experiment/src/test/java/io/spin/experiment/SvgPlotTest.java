package io.spin.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SvgPlotTest {
    @Test
    void scaleMapsIterationsAcrossAndValuesUpwards() {
        SvgPlot.Scale scale = new SvgPlot.Scale(60, 260, 30, 230, 4, -3.0, -1.0);
        assertEquals(60.0, scale.x(0));
        assertEquals(160.0, scale.x(2));
        assertEquals(260.0, scale.x(4));
        assertEquals(230.0, scale.y(-3.0), "the minimum at the bottom");
        assertEquals(30.0, scale.y(-1.0), "the maximum at the top");
        assertEquals(180.0, scale.y(-2.5));
    }
}
