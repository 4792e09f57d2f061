package com.claudemesh.broker.crypto;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One libsodium binding for the process: loading the bundled library costs ~60 ms. */
@Configuration(proxyBeanMethods = false)
class SodiumConfiguration {

    @Bean
    LazySodiumJava sodium() {
        return new LazySodiumJava(new SodiumJava());
    }
}
