package io.spin.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/** Settings SPIN derives for every service, below anything a user sets (ordinal 50). */
abstract class MapConfigSource implements ConfigSource {
    protected final Map<String, String> properties = new HashMap<>();
    private final String name;

    MapConfigSource(String name) {
        this.name = name;
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
