package io.imaginefleet.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code deploy/app-settings.yaml}: the environment variables the apps read, the one list everything is checked against. */
record AppSettings(int longestJobSeconds, List<Setting> settings) {

    /** One environment variable: which apps read it, and whether it is a secret. */
    record Setting(String name, Set<String> apps, boolean secret) {
    }

    static AppSettings load() {
        Map<String, Object> yaml = Repo.load(Repo.path("deploy/app-settings.yaml"));
        List<Setting> settings = new ArrayList<>();
        for (Object o : Repo.list(yaml.get("settings"))) {
            Map<String, Object> s = Repo.map(o);
            List<String> apps = new ArrayList<>();
            Repo.list(s.get("apps")).forEach(a -> apps.add((String) a));
            settings.add(new Setting((String) s.get("name"), new TreeSet<>(apps), Boolean.TRUE.equals(s.get("secret"))));
        }
        return new AppSettings(((Number) yaml.get("longestJobSeconds")).intValue(), settings);
    }

    /** Names of the settings {@code app} reads. */
    Set<String> namesFor(String app) {
        Set<String> names = new TreeSet<>();
        settings.stream().filter(s -> s.apps().contains(app)).forEach(s -> names.add(s.name()));
        return names;
    }

    Set<String> allNames() {
        Set<String> names = new TreeSet<>();
        settings.forEach(s -> names.add(s.name()));
        return names;
    }

    boolean isSecret(String name) {
        return settings.stream().anyMatch(s -> s.name().equals(name) && s.secret());
    }

    Set<String> apps() {
        Set<String> apps = new TreeSet<>();
        settings.forEach(s -> apps.addAll(s.apps()));
        return apps;
    }
}
